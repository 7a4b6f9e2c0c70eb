"""sitemap.xml: the public pages, every published claim and every claimant with one.

Addresses are built from settings.SITE_URL, the canonical address, rather than from the
host a request came in on, so that a cached sitemap is right for every reader.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse

from claims.models import Claim, Claimant


class CanonicalSitemap(Sitemap):
    limit = 10_000

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme


class PagesSitemap(CanonicalSitemap):
    changefreq = "daily"

    def items(self):
        return ["overview", "claim-list", "deadlines"]

    def location(self, name):
        return reverse(name)


class ClaimsSitemap(CanonicalSitemap):
    changefreq = "weekly"

    def items(self):
        # By primary key, so that the pages of a large sitemap stay stable as claims are added.
        return Claim.objects.published().only("id", "slug", "updated_at").order_by("id")

    def lastmod(self, claim):
        return claim.updated_at

    def get_latest_lastmod(self):
        # Django's default reads every item; one aggregate does.
        return Claim.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class ClaimantsSitemap(CanonicalSitemap):
    changefreq = "weekly"

    def items(self):
        published = Claim.objects.published().filter(claimant=OuterRef("pk"))
        return (
            Claimant.objects.filter(Exists(published))
            .annotate(last_change=Max("claims__updated_at", filter=Q(claims__published_at__isnull=False)))
            .only("id", "slug")
            .order_by("id")
        )

    def lastmod(self, claimant):
        return claimant.last_change

    def get_latest_lastmod(self):
        return None


SITEMAPS = {"pages": PagesSitemap, "claims": ClaimsSitemap, "claimants": ClaimantsSitemap}
