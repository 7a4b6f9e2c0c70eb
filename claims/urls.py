"""Public URLs: pages, feeds, calendar, API, sitemap and robots.txt.

Every public view is wrapped in cache_public: anonymous GETs are served from Redis and
every response carries an ETag and Last-Modified for conditional GET.
"""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from claims.feeds import ClaimEventsFeed
from claims.public_cache import cache_public
from claims.sitemaps import SITEMAPS
from claims.sitemaps import index as sitemap_index
from claims.views import claimants, claims, corrections, deadlines, overview, site
from claims.views.calendar import deadlines_ics

urlpatterns = [
    path("", cache_public(overview.overview), name="overview"),
    path("claims/", cache_public(claims.claim_list), name="claim-list"),
    path("claims/feed/", cache_public(ClaimEventsFeed()), name="claim-feed"),
    path("claims/deadlines.ics", cache_public(deadlines_ics), name="deadlines-ics"),
    path("claims/<slug:slug>/", cache_public(claims.claim_detail), name="claim-detail"),
    path("claimants/<slug:slug>/", cache_public(claimants.claimant_detail), name="claimant-detail"),
    path("deadlines/", cache_public(deadlines.deadlines), name="deadlines"),
    path("corrections/", cache_public(corrections.corrections), name="corrections"),
    path("api/", include("claims.api.urls")),
    path(
        "sitemap.xml",
        cache_public(sitemap_index),
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_public(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", cache_public(site.robots_txt), name="robots-txt"),
]
