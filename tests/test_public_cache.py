"""Anonymous responses come from Redis, are invalidated by every kind of write, and answer conditional GETs."""

import contextlib
import datetime
import logging
import os
import socket

import pytest
import redis
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from claims import public_cache, services
from claims.models import Claim, Update

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache"), pytest.mark.django_db]

URLS = [
    "/", "/claims/", "/claims/alpine-united-states/", "/claimants/alpine/", "/deadlines/", "/claims/feed/",
    "/claims/deadlines.ics", "/api/claims/", "/api/claims/alpine-united-states/",
]  # fmt: skip
# Sitemaps are not in the page cache: a worker builds them and requests read them from Redis
# without a query, the first one too (tests/test_public_abuse_sitemaps.py).


def get(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


@contextlib.contextmanager
def disable_logging(name):
    logger = logging.getLogger(name)
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = False


@pytest.mark.parametrize("url", URLS)
def test_a_second_anonymous_request_is_served_from_redis_without_queries(anonymous, demo, settings, url):
    settings.PUBLIC_CACHE_LOCAL_SECONDS = 0  # every hit through Redis
    first, first_queries = get(anonymous, url)
    second, second_queries = get(anonymous, url)
    assert first.status_code == second.status_code == 200
    assert first_queries > 0 and second_queries == 0
    assert second.content == first.content
    assert second["ETag"] == first["ETag"] and second["Content-Type"] == first["Content-Type"]
    assert second["Last-Modified"] == first["Last-Modified"]


def test_hot_pages_are_kept_in_the_process_for_a_moment(anonymous, demo, settings):
    url = "/claims/alpine-united-states/"
    first = anonymous.get(url)
    cache.set(public_cache.GENERATION_KEY, "another-process-wrote")  # a write elsewhere, seen by Redis only
    settings.PUBLIC_CACHE_LOCAL_SECONDS = 60
    kept, queries = get(anonymous, url)
    assert queries == 0 and kept.content == first.content
    settings.PUBLIC_CACHE_LOCAL_SECONDS = 0  # the moment is over: Redis says the page is stale
    _, queries = get(anonymous, url)
    assert queries > 0


def test_a_write_in_this_process_is_seen_at_once_despite_the_local_copy(anonymous, demo, chiara, settings):
    settings.PUBLIC_CACHE_LOCAL_SECONDS = 60
    url = "/claims/alpine-united-states/"
    anonymous.get(url)
    claim = Claim.objects.get(slug="alpine-united-states")
    claim.verdict = "On sale in Texas."
    services.save_claim(claim, by=chiara, reason="Verdict")
    assert "On sale in Texas." in anonymous.get(url).content.decode()


def test_entries_live_under_the_configured_key_prefix(anonymous, demo):
    anonymous.get("/")
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
    keys = [key.decode() for key in client.scan_iter(match=f"{prefix}:*")]
    assert any(":public:page:" in key for key in keys)
    assert any(key.endswith(":public:generation") for key in keys)
    # Only the public cache's own entries (other tests may leave keys of their own under the prefix).
    assert public_cache.clear() == len([key for key in keys if ":public:" in key])


def writes(system, chiara):
    """One write of each kind readers can see, each through the services."""
    claim = Claim.objects.get(slug="alpine-united-states")

    def claim_change():
        claim.statement = "Alpine will start selling its cars in the United States and Canada."
        services.save_claim(claim, by=chiara, reason="Wording")
        return "and Canada"

    def update():
        services.add_update(claim, summary="Dealers signed in Texas.", date=datetime.date(2026, 11, 20), by=chiara)
        return "Dealers signed in Texas"

    def claimant_change():
        claimant = claim.claimant
        claimant.name = "Alpine Cars"
        services.tracked_save(claimant, by=chiara, reason="Official name")
        return "Alpine Cars"

    def source_change():
        source = claim.source
        source.title = "A corrected headline"
        services.tracked_save(source, by=chiara, reason="Headline corrected")
        return "A corrected headline"

    def appearance():
        other = services.get_or_create_source(title="Motor show report", by=system, reason="test")[0]
        services.add_appearance(claim, other, by=chiara, reason="Repeated at the motor show")
        return "Motor show report"

    def update_deleted():
        services.tracked_delete(Update.objects.get(claim=claim), by=chiara, reason="Duplicate")
        return None

    return [claim_change, update, claimant_change, source_change, appearance, update_deleted]


def test_every_kind_of_write_invalidates_the_cached_pages(anonymous, demo, system, chiara, commit):
    url = "/claims/alpine-united-states/"
    for write in writes(system, chiara):
        before, _ = get(anonymous, url)
        cached, queries = get(anonymous, url)
        assert queries == 0
        with commit():
            expected = write()
        after, queries = get(anonymous, url)
        assert queries > 0, write.__name__
        if expected:
            assert expected in after.content.decode(), write.__name__
        else:
            assert after.content != before.content, write.__name__


def test_conditional_get_answers_304_until_something_changes(anonymous, demo, chiara, commit):
    url = "/claims/"
    first = anonymous.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=60"
    assert anonymous.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert anonymous.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    public_cache.clear()  # a miss re-renders: same bytes, same ETag
    assert anonymous.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    claim = Claim.objects.get(slug="alpine-united-states")
    claim.verdict = "Now on sale in California."
    # Last-Modified has whole seconds: a change made in the same second as the browser's
    # copy is told apart by the ETag only, so this one is made two seconds later.
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=2)), commit():
        services.save_claim(claim, by=chiara, reason="Verdict")
    changed = anonymous.get(url, HTTP_IF_MODIFIED_SINCE=modified)
    assert changed.status_code == 200


def test_the_etag_changes_with_the_content(anonymous, demo, chiara):
    etag = anonymous.get("/claims/").get("ETag")
    claim = Claim.objects.get(slug="alpine-united-states")
    claim.statement = "Alpine will sell cars in the United States from 2027."
    services.save_claim(claim, by=chiara, reason="Wording")
    response = anonymous.get("/claims/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_readers_with_a_session_get_fresh_pages_with_an_etag(client, demo, chiara):
    client.defaults["HTTP_HOST"] = "127.0.0.1"
    client.force_login(chiara)
    get(client, "/claims/")
    response, queries = get(client, "/claims/")
    assert queries > 0 and response["ETag"]
    assert client.get("/claims/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_pages_are_rendered_again_on_the_newsrooms_next_day(anonymous, demo):
    with time_machine.travel(datetime.datetime(2026, 11, 26, 22, tzinfo=datetime.UTC), tick=False):
        assert "35 days left" in anonymous.get("/").content.decode()
    with time_machine.travel(datetime.datetime(2026, 11, 27, 1, tzinfo=datetime.UTC), tick=False):
        assert "34 days left" in anonymous.get("/").content.decode()


def cached_pages() -> int:
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
    return len(list(redis.Redis.from_url(django_settings.REDIS_URL).scan_iter(match=f"{prefix}:*public:page:*")))


def test_errors_and_404s_are_not_cached(anonymous, demo, chiara, commit):
    assert anonymous.get("/claims/?status=nope").status_code == 400
    assert anonymous.get("/claims/no-such-claim/").status_code == 404
    assert anonymous.get("/api/claims/?page=0").status_code == 400
    assert cached_pages() == 0
    claim = Claim.objects.get(slug="alpine-united-states")
    with commit():
        services.unpublish(claim, by=chiara)
    assert anonymous.get("/claims/alpine-united-states/").status_code == 404
    with commit():
        services.publish(claim, by=chiara)
    assert anonymous.get("/claims/alpine-united-states/").status_code == 200
    assert cached_pages() == 1


def test_the_response_cache_can_be_turned_off(anonymous, demo, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    get(anonymous, "/claims/")
    response, queries = get(anonymous, "/claims/")
    assert queries > 0 and response["ETag"]


def test_pages_still_work_when_redis_is_down(anonymous, demo):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    unreachable = {
        "default": {
            **django_settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=unreachable), disable_logging("factcheck.cache"):
        for url in ["/", "/claims/", "/api/claims/"]:
            response = anonymous.get(url)
            assert response.status_code == 200 and response["ETag"], url


def test_after_a_change_one_request_recomputes_while_others_use_the_last_value(anonymous, demo, chiara):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert public_cache.remember("test-counter", compute) == 1
    assert public_cache.remember("test-counter", compute) == 1  # cached
    public_cache.invalidate()
    key = cache.make_key("public:data:")  # find the entry's lock key the way remember() builds it
    lock = next(
        k.decode().split(":", 2)[2] + ":lock"
        for k in redis.Redis.from_url(django_settings.REDIS_URL).scan_iter(match=f"{key}*test-counter")
    )
    cache.add(lock, 1, timeout=60)  # another request is recomputing
    assert public_cache.remember("test-counter", compute) == 1  # the previous value, not a second computation
    cache.delete(lock)
    assert public_cache.remember("test-counter", compute) == 2
    assert len(calls) == 2


def test_test_runs_use_their_own_key_prefix(settings):
    assert settings.CACHES["default"]["KEY_PREFIX"] == f"test-public-{os.getpid()}"


def test_a_late_look_at_the_generation_does_not_undo_a_write_in_another_thread():
    pages = public_cache.LocalPages()
    epoch = pages.epoch()  # a request starts and asks Redis, which still says "old"
    pages.forget()  # meanwhile a write in another thread moves the generation on
    pages.saw_generation("old", epoch)  # the request's answer arrives late
    pages.put("page", ("old", 200, "text/html", '"etag"', 0, b"the old page"), epoch)
    assert pages.generation() is None and pages.get("page", "old") is None
