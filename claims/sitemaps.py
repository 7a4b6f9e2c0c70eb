"""sitemap.xml: the public pages, every published claim and every claimant with one.

Addresses are built from settings.SITE_URL, the canonical address, rather than from the
host a request came in on, so that a cached sitemap is right for every reader and a
forged Host header cannot put another site's links in it. Django's index view takes
the host from the request, so the index is built here (``index``).

``lastmod`` is when readers last saw a claim change (``Claim.public_changed_at``), not
``updated_at``, which also moves on internal edits.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.db.models import Exists, Max, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import http_date

from claims.models import Claim, Claimant, last_public_change


class CanonicalSitemap(Sitemap):
    limit = 10_000

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme


class PagesSitemap(CanonicalSitemap):
    changefreq = "daily"

    def items(self):
        return ["overview", "claim-list", "deadlines", "corrections"]

    def location(self, name):
        return reverse(name)


class ClaimsSitemap(CanonicalSitemap):
    changefreq = "weekly"

    def items(self):
        # By primary key, so that the pages of a large sitemap stay stable as claims are added.
        return Claim.objects.published().only("id", "slug").annotate(last_change=last_public_change()).order_by("id")

    def lastmod(self, claim):
        return claim.last_change

    def get_latest_lastmod(self):
        # Django's default reads every item; one aggregate does.
        return Claim.objects.published().aggregate(latest=Max(last_public_change()))["latest"]


class ClaimantsSitemap(CanonicalSitemap):
    changefreq = "weekly"

    def items(self):
        published = Claim.objects.published().filter(claimant=OuterRef("pk"))
        return (
            Claimant.objects.filter(Exists(published))
            .annotate(
                last_change=Subquery(
                    published.values("claimant").annotate(latest=Max(last_public_change())).values("latest")
                )
            )
            .only("id", "slug")
            .order_by("id")
        )

    def lastmod(self, claimant):
        return claimant.last_change

    def get_latest_lastmod(self):
        return None


SITEMAPS = {"pages": PagesSitemap, "claims": ClaimsSitemap, "claimants": ClaimantsSitemap}


@x_robots_tag
def index(request, sitemaps=SITEMAPS, sitemap_url_name="sitemap-section"):
    """The sitemap index, like django.contrib.sitemaps.views.index but with SITE_URL's addresses."""
    items, latest, every_section_dated = [], None, True
    for section, sitemap_class in sitemaps.items():
        sitemap = sitemap_class()
        address = settings.SITE_URL + reverse(sitemap_url_name, kwargs={"section": section})
        lastmod = sitemap.get_latest_lastmod()
        if lastmod is None:
            every_section_dated = False
        elif latest is None or lastmod > latest:
            latest = lastmod
        items.append(SitemapIndexItem(address, lastmod))
        items.extend(
            SitemapIndexItem(f"{address}?p={page}", lastmod) for page in range(2, sitemap.paginator.num_pages + 1)
        )
    headers = {"Last-Modified": http_date(latest.timestamp())} if every_section_dated and latest else None
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml", headers=headers
    )
