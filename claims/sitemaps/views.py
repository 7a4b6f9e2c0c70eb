"""sitemap.xml and its sections, served as stored (claims.sitemaps.store): one Redis round trip and no SQL."""

import gzip

from django.contrib.sitemaps.views import x_robots_tag
from django.http import Http404, HttpResponse
from django.utils.cache import patch_vary_headers

from claims import public_cache
from claims.sitemaps import build, refresh, store

NOT_READY = "The sitemap is being built. Please come back in a few minutes."
# Seconds a crawler is asked to wait when no sitemap is stored yet: about one build.
RETRY_AFTER_SECONDS = 120
CONTENT_TYPE = "application/xml"


def _not_ready():
    # A fresh deploy or an emptied Redis: a worker builds it (queued here, at most once a while).
    refresh.ask_for_build()
    return public_cache.being_built(NOT_READY, RETRY_AFTER_SECONDS)


def _serve(request, section: str, number: int):
    manifest, document = store.fetch(section, number)
    if manifest is None:
        return _not_ready()
    if section != "index" and number > manifest["pages"].get(section, 0):
        raise Http404("There is no such sitemap page.")
    if document is None:
        return _not_ready()  # expired or evicted on its own: the next build puts it back
    etag, built_at, gzipped = document
    if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", ""):
        response = HttpResponse(gzipped, content_type=CONTENT_TYPE)
        response["Content-Encoding"] = "gzip"
        etag = etag[:-1] + '-gzip"'  # another representation, another ETag
    else:
        response = HttpResponse(gzip.decompress(gzipped), content_type=CONTENT_TYPE)
    patch_vary_headers(response, ["Accept-Encoding"])
    return public_cache.conditional_response(request, response, etag=etag, last_modified=built_at)


@x_robots_tag
def index(request):
    return _serve(request, "index", 1)


@x_robots_tag
def section(request, section: str):
    if section not in build.SECTIONS:
        raise Http404("No such sitemap.")
    try:
        number = int(request.GET.get("p", "1"))
    except ValueError:
        raise Http404("No such sitemap page.") from None
    if number < 1:
        raise Http404("No such sitemap page.")
    return _serve(request, section, number)
