"""After a change, a worker recomputes the site's track record while readers keep the previous one."""

import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import public_cache, public_refresh, services
from claims.models import Claim, Status
from claims.views.data import SITE_RECORD
from factcheck.celery import app as celery_app
from tests.test_reminders_support import (
    WORKER_ARGS,
    celery_broker,
    free_port,
    needs_postgresql,
    process_env,
    wait_until,
)

pytest_plugins = ["tests.test_public_support", "tests.test_reminders_support"]
pytestmark = [pytest.mark.usefixtures("public_cache")]


@pytest.fixture
def background(settings):
    settings.PUBLIC_REFRESH_IN_BACKGROUND = True


def fulfilled_count(response) -> int:
    row = response.content.decode().split('class="status status--fulfilled"')[1]
    return int(row.split('<td class="num">')[1].split("<")[0])


def fulfilled_on_overview(client) -> int:
    return fulfilled_count(client.get("/"))


def aggregate_queries(queries) -> list[str]:
    """The track record's counting queries among those captured (the lists only select rows)."""
    return [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"] or "COUNT(" in q["sql"]]


def fulfil_alpine(chiara, commit):
    claim = Claim.objects.get(slug="alpine-united-states")
    with commit():
        services.change_status(claim, Status.FULFILLED, by=chiara, reason="On sale", resolved_on=claim.deadline_end)


@pytest.mark.django_db
def test_readers_keep_the_previous_record_until_the_refresh_has_run(anonymous, demo, chiara, commit, background):
    with CaptureQueriesContext(connection) as queries:
        before = fulfilled_on_overview(anonymous)
    assert aggregate_queries(queries)  # the first reader computes it: nothing was kept yet
    fulfil_alpine(chiara, commit)  # queues a task that no worker runs here
    assert cache.get(public_cache.lock_key(SITE_RECORD)) == "background"
    response = anonymous.get("/")
    assert fulfilled_count(response) == before  # nobody waits for the aggregate
    # Shown, but neither kept nor dated: once the new record is in, nobody is told "not modified".
    assert response["Cache-Control"] == "no-cache" and not response.has_header("Last-Modified")

    assert public_refresh.refresh() == [SITE_RECORD]  # what the task runs
    assert cache.get(public_cache.lock_key(SITE_RECORD)) is None
    with CaptureQueriesContext(connection) as queries:
        assert fulfilled_on_overview(anonymous) == before + 1
    assert not aggregate_queries(queries)  # the record came from the refresh
    assert public_refresh.refresh() == []  # current already: a second task does nothing


@pytest.mark.django_db
def test_when_the_task_cannot_be_queued_the_next_reader_computes(anonymous, demo, chiara, commit, background):
    before = fulfilled_on_overview(anonymous)
    with celery_broker(f"redis://127.0.0.1:{free_port()}/0"):  # nothing listens there
        fulfil_alpine(chiara, commit)
    assert cache.get(public_cache.lock_key(SITE_RECORD)) is None
    assert fulfilled_on_overview(anonymous) == before + 1


@pytest.mark.django_db
def test_a_change_during_the_computation_is_computed_in_a_further_round(background, monkeypatch):
    calls = []

    def compute():
        calls.append(public_cache.current_generation())
        if len(calls) == 1:
            public_cache.invalidate()  # an editor saves while the worker computes
        return len(calls)

    monkeypatch.setattr(public_refresh, "_kept", {"test-aggregate": compute})
    public_cache.invalidate()
    assert public_refresh.refresh() == ["test-aggregate", "test-aggregate"]
    assert calls[0] != calls[1] == public_cache.current_generation()
    assert public_cache.is_current("test-aggregate", public_cache.data_stamp(calls[1]))
    assert cache.get(public_cache.lock_key("test-aggregate")) is None


@pytest.mark.django_db
def test_an_aggregate_another_task_is_computing_is_left_to_it(background, monkeypatch):
    monkeypatch.setattr(public_refresh, "_kept", {"test-aggregate": lambda: pytest.fail("computed twice")})
    public_cache.invalidate()
    cache.add(public_refresh._refreshing("test-aggregate"), 1, timeout=60)
    assert public_refresh.refresh() == []
    assert cache.get(public_cache.lock_key("test-aggregate")) == "background"  # readers still wait for the other


@pytest.mark.django_db
def test_a_reader_that_computed_leaves_the_lock_a_writer_took_meanwhile(background):
    """The writer's "background" hold (readers wait for the worker) outlives the reader that finished."""
    public_cache.remember("test-aggregate", lambda: "first")
    public_cache.invalidate()  # the kept value is now the previous one

    def compute():
        # An editor commits while this reader computes: readers are to wait for the worker.
        cache.set(public_cache.lock_key("test-aggregate"), "background", timeout=60)
        return "second"

    assert public_cache.remember("test-aggregate", compute) == "second"
    assert cache.get(public_cache.lock_key("test-aggregate")) == "background"


@pytest.mark.django_db
def test_a_task_whose_lock_expired_leaves_the_next_tasks_lock(background, monkeypatch):
    def compute():
        # This task's lock expired during a long computation, and another task took it.
        cache.set(public_refresh._refreshing("test-aggregate"), public_cache.lock_holder(), timeout=60)
        return "value"

    monkeypatch.setattr(public_refresh, "_kept", {"test-aggregate": compute})
    public_cache.invalidate()
    assert public_refresh.refresh() == ["test-aggregate"]
    assert cache.get(public_refresh._refreshing("test-aggregate")) is not None  # the other task's, untouched


@pytest.mark.django_db
def test_locks_are_released_by_their_holder_only():
    holder, other = public_cache.lock_holder(), public_cache.lock_holder()
    assert cache.add("test-lock", holder, timeout=60)
    assert not cache.delete_if_equal("test-lock", other) and cache.get("test-lock") == holder
    assert cache.delete_if_equal("test-lock", holder) and cache.get("test-lock") is None
    assert not cache.delete_if_equal("test-lock", holder)  # gone already


@pytest.mark.django_db
def test_after_midnight_the_previous_days_record_is_served_while_one_reader_recomputes(
    anonymous, demo, chiara, background
):
    with time_machine.travel(datetime.datetime(2026, 11, 26, 22, tzinfo=datetime.UTC), tick=False):
        fulfilled_on_overview(anonymous)  # computed and kept on the 26th
    with time_machine.travel(datetime.datetime(2026, 11, 27, 1, tzinfo=datetime.UTC), tick=False):
        cache.add(public_cache.lock_key(SITE_RECORD), 1, timeout=60)  # another reader is recomputing it
        with CaptureQueriesContext(connection) as queries:
            response = anonymous.get("/")
        assert response.status_code == 200 and response["Cache-Control"] == "no-cache"
        assert not aggregate_queries(queries)  # yesterday's record, not a second computation
        assert public_refresh.refresh() == [SITE_RECORD]  # what beat's run after midnight does


@pytest.mark.django_db
def test_a_current_record_has_its_lifetime_renewed_by_the_periodic_run(background):
    stamp = public_cache.data_stamp(public_cache.current_generation())
    public_cache.store(SITE_RECORD, stamp, "a record", timeout=100)
    assert public_refresh.refresh() == []
    client = cache._cache.get_client(write=False)
    assert client.ttl(cache.make_key(public_cache.data_key(SITE_RECORD))) > 100


@pytest.mark.django_db
def test_without_background_refresh_the_task_does_nothing(settings):
    settings.PUBLIC_REFRESH_IN_BACKGROUND = False
    public_cache.invalidate()
    assert public_refresh.refresh() == []
    assert cache.get(public_cache.lock_key(SITE_RECORD)) is None


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_refreshes_the_record_after_a_committed_change(
    anonymous, demo, chiara, commit, background, celery_processes
):
    needs_postgresql()
    celery_app.control.purge()  # tasks queued by earlier tests without a worker must not run here
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]  # the public_cache fixture's, for this test
    env = process_env(redis_url=django_settings.REDIS_URL, smtp_port=free_port(), CACHE_KEY_PREFIX=prefix)
    worker = celery_processes("worker", env, "--pool=solo", *WORKER_ARGS)
    worker.wait_for("ready.")
    before = fulfilled_on_overview(anonymous)

    fulfil_alpine(chiara, commit)
    worker.wait_for(f"Public aggregates refreshed: {SITE_RECORD}", timeout=40)
    wait_until(lambda: cache.get(public_cache.lock_key(SITE_RECORD)) is None, timeout=5, what="the readers' lock")
    with CaptureQueriesContext(connection) as queries:
        assert fulfilled_on_overview(anonymous) == before + 1
    assert not aggregate_queries(queries)
