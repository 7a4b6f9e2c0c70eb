"""Drafts leave no trace in public, not even indirectly: in how a 404 is made, or in what moves the cache.

A claimant known only from drafts used to answer its 404 after a second query, a Redis
read and a template (6.3 ms against 3.8 ms for a name nobody has, median): a guesser
could tell that it exists. And adding a timeline entry to a draft moved the public
Last-Modified and emptied the whole public cache, which a reader can see.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import fragments, services
from claims.models import Claim

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache"), pytest.mark.django_db]


# --- a claimant known only from drafts ---------------------------------------------------


@pytest.fixture
def hidden(system, commit):
    """A claimant whose only claim is a draft, and one with no claim at all, committed as a request would."""
    with commit():
        source = services.get_or_create_source(title="Merger talk", by=system, reason="test")[0]
        services.get_or_create_claimant("Nissan", by=system, reason="test")
        claimant = services.get_or_create_claimant("Hidden Corp", by=system, reason="test")[0]
        draft = Claim(claimant=claimant, source=source, statement="Hidden Corp will merge with a rival.")
        services.save_claim(draft, by=system, reason="test")
    return claimant


def not_found(client, slug: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/claimants/{slug}/")
    return response, [query["sql"].replace(slug, "<slug>") for query in queries]


@pytest.mark.parametrize("reader", ["anonymous", "editor"])
def test_a_claimant_of_drafts_answers_as_a_claimant_nobody_has(anonymous, hidden, elena, reader):
    if reader == "editor":
        anonymous.force_login(elena)  # no page cache: the view itself answers every time
    not_found(anonymous, "warm-up")  # the query's first use on a connection; later ones are prepared (PostgreSQL)
    for _ in range(2):
        hidden_response, hidden_queries = not_found(anonymous, "hidden-corp")
        nobody_response, nobody_queries = not_found(anonymous, "nobody-corp")
        assert hidden_response.status_code == nobody_response.status_code == 404
        assert hidden_response.content == nobody_response.content
        assert hidden_queries == nobody_queries
        assert len(hidden_queries) == 1  # the claimant, only if it has a published claim


class ReadsSeen:
    """The cache as claims.fragments sees it, noting each key read."""

    def __init__(self):
        self.keys = []

    def get(self, key, *args, **kwargs):
        self.keys.append(key)
        return cache.get(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(cache, name)


def test_a_claimant_of_drafts_costs_no_redis_read(anonymous, hidden, monkeypatch):
    """The claimant's page parts (claims.fragments) are not even looked up: that read was part of the difference."""
    seen = ReadsSeen()
    monkeypatch.setattr(fragments, "cache", seen)
    assert anonymous.get("/claimants/hidden-corp/").status_code == 404
    assert seen.keys == []
    assert anonymous.get("/claimants/nissan/").status_code == 404  # no claim at all yet
    assert seen.keys == []


def test_the_claimant_appears_with_its_first_published_claim(anonymous, hidden, chiara, commit):
    claim = Claim.objects.get(claimant=hidden)
    with commit():
        services.publish(claim, by=chiara)
    assert "Hidden Corp" in anonymous.get("/claimants/hidden-corp/").content.decode()
    with commit():
        services.unpublish(claim, by=chiara)
    assert anonymous.get("/claimants/hidden-corp/").status_code == 404
