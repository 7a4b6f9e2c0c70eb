"""After a change, a worker recomputes the site's track record while readers keep the previous one."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import public_cache, public_refresh, services
from claims.models import Claim, Status
from claims.views.data import SITE_RECORD
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


def fulfilled_on_overview(client) -> int:
    html = client.get("/").content.decode()
    row = html.split('class="status status--fulfilled"')[1]
    return int(row.split('<td class="num">')[1].split("<")[0])


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
    assert fulfilled_on_overview(anonymous) == before  # nobody waits for the aggregate

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
    assert public_cache.is_current("test-aggregate", calls[1])
    assert cache.get(public_cache.lock_key("test-aggregate")) is None


@pytest.mark.django_db
def test_an_aggregate_another_task_is_computing_is_left_to_it(background, monkeypatch):
    monkeypatch.setattr(public_refresh, "_kept", {"test-aggregate": lambda: pytest.fail("computed twice")})
    public_cache.invalidate()
    cache.add(public_refresh._refreshing("test-aggregate"), 1, timeout=60)
    assert public_refresh.refresh() == []
    assert cache.get(public_cache.lock_key("test-aggregate")) == "background"  # readers still wait for the other


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_refreshes_the_record_after_a_committed_change(
    anonymous, demo, chiara, commit, background, celery_processes
):
    needs_postgresql()
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
