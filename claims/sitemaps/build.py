"""The sitemap documents, written as XML text from streaming queries (the same documents Django's views wrote).

Django's sitemap framework renders a template per page and builds a dictionary per
address; for 850,000 addresses that is minutes of a worker. The format needs two things
this module does itself: escaping (``escape``: slugs need none, but rows written in bulk
are not validated) and dates in the newsroom's zone, as Django's ``date`` filter wrote them.
"""

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from claims.models import Claim, Claimant, last_public_change
from claims.views.base import slug_path

# Addresses per document; larger sections are split into pages (?p=2, ...), as Django's limit did.
PAGE_SIZE = 10_000
SECTIONS = ("pages", "claims", "claimants")
URLSET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
URLSET_TAIL = "</urlset>\n"
INDEX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
)
INDEX_TAIL = "</sitemapindex>\n"


def _url(path: str, lastmod, changefreq: str) -> str:
    day = f"<lastmod>{timezone.localtime(lastmod).date().isoformat()}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(settings.SITE_URL + path)}</loc>{day}<changefreq>{changefreq}</changefreq></url>\n"


def _pages(rows: Iterator[str]) -> Iterator[str]:
    """The documents of a section: ``PAGE_SIZE`` addresses each; at least one, maybe empty."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == PAGE_SIZE:
            yield URLSET_HEAD + "".join(batch) + URLSET_TAIL
            batch = []
    if batch:
        yield URLSET_HEAD + "".join(batch) + URLSET_TAIL


def page_rows() -> Iterator[str]:
    for name in ("overview", "claim-list", "deadlines", "corrections"):
        yield _url(reverse(name), None, "daily")


def claim_rows() -> Iterator[str]:
    # By primary key, so that the pages of a large sitemap stay stable as claims are added.
    claims = (
        Claim.objects.published()
        .annotate(last_change=last_public_change())
        .order_by("id")
        .values_list("slug", "last_change")
    )
    for slug, last_change in claims.iterator(chunk_size=PAGE_SIZE):
        yield _url(slug_path("claim-detail", slug), last_change, "weekly")


def claimant_rows() -> Iterator[str]:
    published = Claim.objects.published().filter(claimant=OuterRef("pk"))
    claimants = (
        Claimant.objects.filter(Exists(published))
        .annotate(
            last_change=Subquery(
                published.values("claimant").annotate(latest=Max(last_public_change())).values("latest")
            )
        )
        .order_by("id")
        .values_list("slug", "last_change")
    )
    for slug, last_change in claimants.iterator(chunk_size=PAGE_SIZE):
        yield _url(slug_path("claimant-detail", slug), last_change, "weekly")


ROWS = {"pages": page_rows, "claims": claim_rows, "claimants": claimant_rows}


def section(name: str) -> Iterator[str]:
    """The documents of section ``name``, in page order; an empty section is one empty document."""
    documents = _pages(ROWS[name]())
    first = next(documents, None)
    yield first if first is not None else URLSET_HEAD + URLSET_TAIL
    yield from documents


def latest_claim_change():
    return Claim.objects.published().aggregate(latest=Max(last_public_change()))["latest"]


def index(pages: dict[str, int], latest_claim_change) -> str:
    """The sitemap index: every page of every section; the claims' pages dated by their latest change."""
    entries = []
    for name in SECTIONS:
        address = escape(settings.SITE_URL + reverse("sitemap-section", kwargs={"section": name}))
        day = (
            f"<lastmod>{timezone.localtime(latest_claim_change).isoformat()}</lastmod>"
            if name == "claims" and latest_claim_change
            else ""
        )
        for number in range(1, pages[name] + 1):
            location = address if number == 1 else f"{address}?p={number}"
            entries.append(f"<sitemap><loc>{location}</loc>{day}</sitemap>\n")
    return INDEX_HEAD + "".join(entries) + INDEX_TAIL
