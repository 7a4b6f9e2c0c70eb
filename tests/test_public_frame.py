"""The frame kept per process is byte for byte what extending base.html renders."""

import pytest
from django.template import engines

from claims.views import frame

pytestmark = pytest.mark.django_db

PARTS = {
    "title": "Nissan's <city car> & more",
    "description": 'Status: "Missed".',
    "head": '<script type="application/ld+json">{"@type": "ClaimReview"}</script>',
    "content": "<h1>Content</h1>",
}


def extended(nav: str, **blocks) -> str:
    """What a template extending base.html with these blocks renders (title and description autoescaped)."""
    source = '{% extends "base.html" %}' + "".join(
        f"{{% block {name} %}}{{{{ {name} }}}}{{% endblock %}}" if name in ("title", "description") else
        f"{{% block {name} %}}{{{{ {name}|safe }}}}{{% endblock %}}"
        for name in blocks
    )  # fmt: skip
    from claims.context_processors import newsroom

    return engines["django"].from_string(source).render({"nav": nav, **newsroom(None), **blocks})


@pytest.mark.parametrize("debug", [False, True], ids=["kept", "debug"])
@pytest.mark.parametrize("nav", ["", "claims", "overview"])
def test_the_frame_is_what_the_template_renders(settings, debug, nav):
    settings.DEBUG = debug
    assert frame.page(PARTS, nav=nav).content.decode() == extended(nav, **PARTS)


def test_a_block_left_out_keeps_base_html_s_own(settings):
    settings.DEBUG = False
    page = frame.page({"title": "All claims", "content": "<p>x</p>"}).content.decode()
    assert page == extended("", title="All claims", content="<p>x</p>")
    assert "What was promised, by whom, by when" in page  # base.html's description


def test_the_kept_frame_follows_the_settings_it_is_made_of(settings):
    settings.DEBUG = False
    settings.NEWSROOM_NAME = "Daily Example"
    assert "Daily Example" in frame.page(PARTS).content.decode()
    settings.NEWSROOM_NAME = "Evening Example"
    page = frame.page(PARTS).content.decode()
    assert "Evening Example" in page and "Daily Example" not in page


def test_plain_text_parts_are_escaped():
    page = frame.page(PARTS).content.decode()
    assert "<title>Nissan&#x27;s &lt;city car&gt; &amp; more" in page
    assert 'content="Status: &quot;Missed&quot;."' in page
