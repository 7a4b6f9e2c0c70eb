"""The embeddable claim card (/claims/<slug>/embed/) and its oEmbed endpoint (/oembed/).

The card is the one page of the site that other sites may frame: its response says
``Content-Security-Policy: frame-ancestors *`` and carries no X-Frame-Options, through
the view's own decorators (django-csp's ``csp_replace``, Django's
``xframe_options_exempt``); every other page keeps ``frame-ancestors 'none'`` and
``X-Frame-Options: DENY``. It goes through the page cache like any public page, which
keeps those decorators' marks with the cached body (claims.public_cache.HEADER_RULES).
It is a page of its own (no site frame, a small stylesheet of ours, no script), and shows
a published claim only; any other slug is a 404.

oEmbed 1.0 (https://oembed.com/): ``/oembed/?url=<a claim page's address>&format=json``
answers a "rich" response whose ``html`` is an iframe of the card, within ``maxwidth``
and ``maxheight`` when given. ``format=xml`` (or any other) is 501, an address that is
not a published claim's page on this site (SITE_URL) 404, a size that is not a positive
whole number 400. Each claim page names the endpoint in its head (``discovery_link``).
"""

from urllib.parse import urlencode, urlsplit

from csp.decorators import csp_replace
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, get_script_prefix, resolve, reverse
from django.utils.html import escape
from django.utils.text import Truncator
from django.views.decorators.clickjacking import xframe_options_exempt

from claims.context_processors import newsroom
from claims.views.base import absolute, public_claims, slug_path

# The card's size when the consumer sets no limit: wide enough for a statement of two
# lines and the facts under it; the card itself reflows to any width.
WIDTH = 480
HEIGHT = 260
# oEmbed's cache_age: how long a consumer may keep our answer (the card itself is live).
CACHE_AGE = 3600
# Longer is no size anyone can mean (and would only be echoed back).
MAX_DIMENSION = 10000


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def claim_embed(request, slug: str):
    claim = public_claims().filter(slug=slug).first()
    if claim is None:
        raise Http404("No published claim has this address.")
    context = {**newsroom(request), "claim": claim, "claim_url": absolute(slug_path("claim-detail", claim.slug))}
    return HttpResponse(render_to_string("public/embed.html", context))


class _NotOurs(Exception):
    pass


def claim_of(url: str):
    """The published claim whose page is at ``url`` on this site (SITE_URL's host), or None."""
    try:
        parts, site = urlsplit(url), urlsplit(settings.SITE_URL)
        if parts.scheme not in ("http", "https") or (parts.hostname or "") != (site.hostname or "").lower():
            raise _NotOurs
        if parts.port != site.port:
            raise _NotOurs
        path, prefix = parts.path, get_script_prefix()
        if not path.startswith(prefix):
            raise _NotOurs
        match = resolve("/" + path[len(prefix) :])
    except (ValueError, _NotOurs, Resolver404):
        return None
    if match.url_name not in ("claim-detail", "claim-embed"):
        return None
    return public_claims().filter(slug=match.kwargs["slug"]).first()


def _dimension(raw: str | None, name: str) -> int | None:
    if raw in (None, ""):
        return None
    if not raw.isdigit() or not 0 < int(raw) <= MAX_DIMENSION:
        raise ValueError(f"{name} must be a whole number of pixels from 1 to {MAX_DIMENSION}.")
    return int(raw)


def oembed(request):
    if (request.GET.get("format") or "json") != "json":
        return HttpResponse("Only format=json is offered.", status=501, content_type="text/plain; charset=utf-8")
    try:
        maxwidth = _dimension(request.GET.get("maxwidth"), "maxwidth")
        maxheight = _dimension(request.GET.get("maxheight"), "maxheight")
    except ValueError as error:
        return JsonResponse({"error": str(error)}, status=400)
    claim = claim_of(request.GET.get("url", ""))
    if claim is None:
        return JsonResponse({"error": "No published claim has this address on this site."}, status=404)
    width, height = min(WIDTH, maxwidth or WIDTH), min(HEIGHT, maxheight or HEIGHT)
    title = Truncator(claim.statement).chars(150)
    card = absolute(slug_path("claim-embed", claim.slug))
    html = (
        f'<iframe src="{escape(card)}" width="{width}" height="{height}" title="{escape(title)}" '
        f'loading="lazy"></iframe>'
    )
    return JsonResponse(
        {
            "version": "1.0",
            "type": "rich",
            "title": title,
            "author_name": claim.claimant.name,
            "author_url": absolute(slug_path("claimant-detail", claim.claimant.slug)),
            "provider_name": settings.NEWSROOM_NAME,
            "provider_url": settings.NEWSROOM_URL or settings.SITE_URL,
            "cache_age": CACHE_AGE,
            "html": html,
            "width": width,
            "height": height,
        }
    )


def discovery_link(claim) -> str:
    """The claim page's <link> naming its oEmbed endpoint (HTML, for the page's head).

    The endpoint's address is relative to the page, as the feed's link in the site's frame
    is (no link in a page names an origin); the claim's address in it is absolute, as
    oEmbed asks.
    """
    query = urlencode({"url": absolute(slug_path("claim-detail", claim.slug)), "format": "json"})
    href = f"{reverse('oembed')}?{query}"
    title = Truncator(claim.statement).chars(150)
    return f'<link rel="alternate" type="application/json+oembed" href="{escape(href)}" title="{escape(title)}">'
