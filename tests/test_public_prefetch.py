"""A page asks Redis once for the generation and the shared data it needs, not once per name."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from claims import public_cache

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache"), pytest.mark.django_db]


class CountedReads:
    """The real cache, with its reads counted (every call goes through to Redis)."""

    def __init__(self, reads: list):
        self.reads = reads

    def __getattr__(self, name):
        attribute = getattr(cache, name)
        if name not in ("get", "get_many"):
            return attribute

        def counted(*args, **kwargs):
            self.reads.append(name)
            return attribute(*args, **kwargs)

        return counted


@pytest.fixture
def redis_reads(monkeypatch):
    reads = []
    monkeypatch.setattr(public_cache, "cache", CountedReads(reads))
    return reads


def test_prefetched_names_are_read_in_one_round_trip(redis_reads):
    computed = []
    warm = RequestFactory().get("/")
    public_cache.remember("a", lambda: computed.append("a") or 1, request=warm)
    public_cache.remember("b", lambda: computed.append("b") or 2, request=warm)
    redis_reads.clear()

    request = RequestFactory().get("/")
    public_cache.prefetch(request, "a", "b", "missing")
    assert redis_reads == ["get_many"]
    assert public_cache.remember("a", lambda: computed.append("again") or 0, request=request) == 1
    assert public_cache.peek("b", request=request) == 2
    assert public_cache.peek("missing", request=request) is None
    assert redis_reads == ["get_many"] and computed == ["a", "b"]


def test_a_value_computed_after_the_prefetch_is_used_for_the_rest_of_the_request(redis_reads):
    request = RequestFactory().get("/")
    public_cache.prefetch(request, "c")
    calls = []
    assert public_cache.remember("c", lambda: calls.append(1) or "fresh", request=request) == "fresh"
    assert public_cache.remember("c", lambda: calls.append(1) or "again", request=request) == "fresh"
    assert public_cache.peek("c", request=request) == "fresh" and calls == [1]


def test_a_write_after_the_prefetch_is_not_hidden_from_the_next_request(redis_reads):
    first = RequestFactory().get("/")
    public_cache.remember("d", lambda: "old", request=first)
    public_cache.invalidate()
    request = RequestFactory().get("/")
    public_cache.prefetch(request, "d")
    assert public_cache.remember("d", lambda: "new", request=request) == "new"
