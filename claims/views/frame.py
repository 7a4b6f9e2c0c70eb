"""The site's frame (templates/base.html) around a page's content, rendered once per process.

The frame depends on nothing of the request but the section its navigation marks
(``nav``): the rest is settings and fixed addresses. Rendering it through template
inheritance on every request was a third of a claim page's time once the page's own
parts came from Redis (claims.fragments), and a millisecond of every list. So it is
rendered once with markers in its blocks, cut at the markers, and kept; a page is its
pieces with the page's parts in between. With DEBUG on it is rendered every time, so
that edits to the template show at once.
"""

import functools

from django.conf import settings
from django.http import HttpResponse
from django.template import engines
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils.html import escape

from claims.context_processors import newsroom

# The blocks of base.html a page fills, in the order they appear in it; the last two take HTML.
BLOCKS = ("title", "description", "head", "content")
HTML_BLOCKS = frozenset({"head", "content"})
# Each block holds a marker, base.html's own content of the block (its default), an end marker.
_CHILD = '{% extends "base.html" %}' + "".join(
    f"{{% block {name} %}}\x00{name}\x00{{{{ block.super }}}}\x00end\x00{{% endblock %}}" for name in BLOCKS
)


class _Frame:
    def __init__(self, nav: str):
        html = engines["django"].from_string(_CHILD).render({"nav": nav, **newsroom(None)})
        self.pieces, self.defaults = [], {}
        for name in BLOCKS:
            before, marker, html = html.partition(f"\x00{name}\x00")
            default, end, html = html.partition("\x00end\x00")
            if not (marker and end):
                raise ValueError(f"templates/base.html has no block {name!r}")
            self.pieces.append(before)
            self.defaults[name] = default  # rendered by the template, so already escaped
        self.pieces.append(html)


@functools.lru_cache(maxsize=16)
def _kept_frame(nav: str, script_prefix: str, stylesheet: str, newsroom_name: str, newsroom_url) -> _Frame:
    # Everything the frame is made of is in the key: its addresses and the newsroom's name.
    return _Frame(nav)


def page(parts: dict, *, nav: str = "", status: int = 200) -> HttpResponse:
    """A page of the site: ``parts`` fills the frame's blocks (a block left out keeps base.html's own).

    Title and description are plain text (escaped here); head and content are HTML, as
    the page's own templates wrote it.
    """
    if settings.DEBUG:
        frame = _Frame(nav)
    else:
        frame = _kept_frame(
            nav, get_script_prefix(), static("public/site.css"), settings.NEWSROOM_NAME, settings.NEWSROOM_URL
        )
    body = [frame.pieces[0]]
    for name, piece in zip(BLOCKS, frame.pieces[1:], strict=True):
        if name not in parts:
            body.append(frame.defaults[name])
        elif name in HTML_BLOCKS:
            body.append(parts[name])
        else:
            body.append(escape(parts[name]))
        body.append(piece)
    return HttpResponse("".join(body), status=status)


def render(request, template_name: str, context: dict, *, title: str, nav: str = "", status: int = 200):
    """A page whose content is ``template_name`` (the content alone, no frame) rendered with ``context``.

    The content gets the request and the newsroom's settings, not the site-wide context
    processors: public pages show no user, messages or form tokens, and running the
    processors was a twentieth of a list page's time.
    """
    content = render_to_string(template_name, {"request": request, **newsroom(request), **context})
    return page({"title": title, "content": content}, nav=nav, status=status)
