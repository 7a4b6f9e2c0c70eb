"""Every public page and API response reads a fixed number of queries, whatever the number of claims.

Counts are taken on a cold cache (everything computed), for 5 and for 500 claims, and
must be the same; a warm cache answers with none.
"""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import public_cache
from claims.models import Claim
from tests.test_public_support import FROZEN_TODAY, build_sitemaps, make_register

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache"), pytest.mark.django_db]

# A search's time limit (PostgreSQL): set and put back, in a savepoint here (its own transaction in production).
SEARCH_LIMIT = 4 if connection.vendor == "postgresql" else 0
# The overview's two lists: one UNION ALL on PostgreSQL, two queries on SQLite (no LIMIT inside a UNION).
OVERVIEW_LISTS = 1 if connection.vendor == "postgresql" else 2
# What each query is for is in the view; these pin that no query is added per row.
EXPECTED = {
    "/": 3 + OVERVIEW_LISTS,  # track record (2), due soon and overdue, recently resolved
    # claimants and the deadline years (first and last deadline) for the filters, the page
    "/claims/": 3,
    "/claims/?status=missed": 3,
    # + the claimants whose name has each search word (ClaimQuerySet.mentioning)
    "/claims/?claimant=maker-1&year=2026&overdue=1&q=promise&sort=deadline": 4 + SEARCH_LIMIT,
    "/claims/?q=promise+maker": 5 + SEARCH_LIMIT,
    "/api/claims/?q=promise": 2 + SEARCH_LIMIT,
    # + the version that keys the page's parts (claims.fragments); once kept, that query alone
    "/claims/promise-0/": 5,  # claim with claimant and source, updates, appearances, history
    "/claimants/maker-0/": 5,  # claimant, track record (2), the page
    "/deadlines/": 1,
    "/claims/feed/": 1,
    # One UNION ALL; SQLite allows no LIMIT inside one, so there it is two queries.
    "/claims/deadlines.ics": 1 if connection.features.supports_slicing_ordering_in_compound else 2,
    "/api/claims/": 1,
    "/api/claims/?status=open&sort=deadline&page_size=10": 1,
    "/api/claims/promise-0/": 3,  # claim, updates, appearances
    # Built by a worker (claims/sitemaps/), served from Redis: no query, whatever the size.
    "/sitemap.xml": 0,
    "/sitemap-claims.xml": 0,
    "/sitemap-claimants.xml": 0,
    "/robots.txt": 0,
    "/api/schema/": 0,
}


def query_counts(client) -> dict[str, int]:
    counts = {}
    for url in EXPECTED:
        public_cache.clear()
        if url.startswith("/sitemap"):
            build_sitemaps()  # what the worker does after a change
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        counts[url] = len(queries)
    return counts


@pytest.mark.parametrize("claims", [5, 500])
def test_query_counts_do_not_grow_with_the_register(anonymous, system, claims):
    with time_machine.travel(FROZEN_TODAY, tick=False):
        make_register(claims, by=system)
        assert Claim.objects.published().count() == claims
        assert query_counts(anonymous) == EXPECTED


def test_warm_pages_read_nothing(anonymous, system, django_assert_num_queries):
    with time_machine.travel(FROZEN_TODAY, tick=False):
        make_register(5, by=system)
        build_sitemaps()
        for url in EXPECTED:
            anonymous.get(url)
        for url in EXPECTED:
            with django_assert_num_queries(0):
                assert anonymous.get(url).status_code == 200
