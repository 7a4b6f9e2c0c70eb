"""Public URLs: pages, feeds, calendar, API, sitemap and robots.txt.

Every public page is wrapped in cache_public: anonymous GETs are served from Redis and
every response carries an ETag and Last-Modified for conditional GET. Each names the
query parameters it uses (``params``); any other is ignored, so that made-up addresses
cannot get past the cache. Work that can be expensive on a cache miss runs ``bounded`` by
the deployment's cap, and searches and sitemaps are ``rate_limited`` per address (claims/throttle/).
Sitemaps and the open data files are built by a worker and served as stored (claims/sitemaps/, claims/opendata/).
"""

from django.urls import include, path

from claims.feeds import ClaimEventsFeed
from claims.opendata import views as opendata_views
from claims.public_cache import cache_public
from claims.sitemaps import views as sitemap_views
from claims.throttle import rate
from claims.throttle.guard import always, bounded, deep, rate_limited, searched_filtered_or_deep, searching
from claims.views import claimants, claims, corrections, deadlines, methodology, overview, site
from claims.views.calendar import deadlines_ics

PAGE = ("page",)
LIST_PARAMS = (*claims.FORM_FIELDS, "page")

urlpatterns = [
    path("", cache_public(overview.overview), name="overview"),
    path(
        "claims/",
        rate_limited(
            cache_public(bounded(claims.claim_list, when=searched_filtered_or_deep), params=LIST_PARAMS),
            when=searching,
            kind=rate.SEARCH,
        ),
        name="claim-list",
    ),
    # When not answered from the cache (a first reader, or a client with a made-up session
    # cookie, which the cache never answers), counted per address too.
    path("claims/feed/", cache_public(rate_limited(bounded(ClaimEventsFeed(), when=always))), name="claim-feed"),
    path("claims/deadlines.ics", cache_public(rate_limited(bounded(deadlines_ics, when=always))), name="deadlines-ics"),
    path("claims/<slug:slug>/", cache_public(claims.claim_detail), name="claim-detail"),
    path(
        "claimants/<slug:slug>/",
        cache_public(bounded(claimants.claimant_detail, when=deep), params=PAGE),
        name="claimant-detail",
    ),
    path("deadlines/", cache_public(bounded(deadlines.deadlines, when=deep), params=PAGE), name="deadlines"),
    path("corrections/", cache_public(bounded(corrections.corrections, when=deep), params=PAGE), name="corrections"),
    path("methodology/", cache_public(methodology.methodology), name="methodology"),
    path("api/", include("claims.api.urls")),
    # Served as stored, but a section is megabytes at a million claims: counted per address too.
    path("sitemap.xml", rate_limited(sitemap_views.index, kind=rate.SITEMAP), name="sitemap"),
    path("sitemap-<section>.xml", rate_limited(sitemap_views.section, kind=rate.SITEMAP), name="sitemap-section"),
    # Open data: the page lists the files; the files are served as built by a worker (claims/opendata/).
    # Not page-cached: it reads one manifest, and must show the files once the first build is in.
    path("data/", opendata_views.index, name="opendata"),
    path("data/claims.<str:format>", rate_limited(opendata_views.download, kind=rate.DOWNLOAD), name="opendata-file"),
    path("robots.txt", cache_public(site.robots_txt), name="robots-txt"),
    # Tips, following by email, the embeddable card and oEmbed (claims/readers/).
    path("", include("claims.readers.urls")),
]
