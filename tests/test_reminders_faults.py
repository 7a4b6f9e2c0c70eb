"""Real worker, beat, Redis and SMTP: the end-to-end path and the faults it must survive.

The worker and beat are `celery -A factcheck ...` subprocesses on the test database
(pytest-django's, committed data: transactional tests). Fault tests stop only a Redis
of their own, never the shared one.
"""

# Fixtures imported from test_reminders_support are used as test arguments, which ruff reads as redefinitions.
# ruff: noqa: F811

import datetime
import socket
import time

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from claims.models import Reminder
from claims.reminders.enqueue import enqueue_sweep
from claims.reminders.sweep import EXPIRED_CLAIM, claim_timeout, sweep
from tests.test_reminders_schedule import _import_claims
from tests.test_reminders_support import (  # noqa: F401 - fixtures
    SUCCEEDED,
    WORKER_ARGS,
    celery_broker,
    celery_processes,
    change_form,
    needs_postgresql,
    private_redis,
    process_env,
    reminded_claim_ids,
    smtp,
    smtp_server,
    wait_until,
)

# Transactional: the worker and the sweeps run in other processes and see only committed rows
# (conftest's roles_after_flush puts the roles back after each flush).
pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _on_postgresql():
    needs_postgresql()


def wait_for_messages(server, count: int):
    wait_until(lambda: len(server.messages) >= count, timeout=40, what=f"{count} email(s) at the SMTP server")


def test_worker_and_beat_send_exactly_one_email_per_claim_coming_due(
    make_claim, claimant, source, system, elena, smtp_server, celery_processes, tmp_path
):
    env = process_env(redis_url=settings.REDIS_URL, smtp_port=smtp_server.port, REMINDER_SWEEP_SECONDS=10)
    worker = celery_processes("worker", env, "--pool=solo", *WORKER_ARGS)
    worker.wait_for("ready.")
    beat = celery_processes("beat", env, f"--schedule={tmp_path / 'beat-schedule'}")
    today = timezone.localdate()

    # Saved through the services: its sweep is queued when the save commits.
    saved = make_claim(assignee=elena, deadline_end=today)
    wait_for_messages(smtp_server, 1)
    # Imported around the services (no rows, nothing queued): only beat's sweep can find it.
    (imported,) = _import_claims(claimant, source, system, imported=(today, elena))
    beat.wait_for("Sending due task sweep-deadlines", timeout=30)
    wait_for_messages(smtp_server, 2)

    # Another sweep, once both are out, sends nothing more.
    worker.wait_for(SUCCEEDED, times=1)
    runs = worker.count(SUCCEEDED)
    assert enqueue_sweep()
    worker.wait_for(SUCCEEDED, times=runs + 1)
    assert reminded_claim_ids(smtp_server.messages) == [saved.pk, imported.pk]
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == ["elena@newsroom.example"] * 2
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 2


def test_with_redis_down_an_admin_save_commits_quickly_and_the_next_sweep_sends_once(
    client, make_claim, elena, private_redis, smtp_server, celery_processes, caplog
):
    today = timezone.localdate()
    with celery_broker(private_redis.url):
        claim = make_claim(assignee=elena, deadline_end=today + datetime.timedelta(days=100))
        client.force_login(elena)
        private_redis.stop()

        started = time.monotonic()
        response = client.post(
            f"/admin/claims/claim/{claim.pk}/change/",
            change_form(claim, deadline_end=today, change_reason="The company confirmed today as the date"),
        )
        elapsed = time.monotonic() - started
        assert response.status_code == 302, response.content.decode()[:2000]
        assert elapsed < 5, f"the save took {elapsed:.1f} s with Redis down"
        assert "Could not queue a reminder sweep" in caplog.text
        claim.refresh_from_db()
        assert claim.deadline_end == today
        assert claim.history.latest().history_change_reason == "The company confirmed today as the date"
        assert claim.reminders.get(deadline_end=today, offset_days=0).state == "pending"

        private_redis.start()
        env = process_env(redis_url=private_redis.url, smtp_port=smtp_server.port)
        worker = celery_processes("worker", env, "--pool=solo", *WORKER_ARGS)
        worker.wait_for("ready.")
        assert enqueue_sweep(), "the producer reconnects once Redis is back"
        wait_for_messages(smtp_server, 1)
        worker.wait_for(SUCCEEDED, times=1)
        assert enqueue_sweep()
        worker.wait_for(SUCCEEDED, times=2)
    assert reminded_claim_ids(smtp_server.messages) == [claim.pk]
    assert claim.reminders.get(deadline_end=today, offset_days=0).state == "sent"


@pytest.fixture
def silent_smtp():
    """A port that accepts connections and never greets: a send hangs there until we kill it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_a_worker_killed_between_claim_and_send_is_finished_by_a_later_sweep(
    make_claim, elena, private_redis, silent_smtp, smtp, celery_processes
):
    env = process_env(redis_url=private_redis.url, smtp_port=silent_smtp, EMAIL_TIMEOUT=120)
    worker = celery_processes("worker", env, "--concurrency=1", *WORKER_ARGS)
    worker.wait_for("ready.")
    with celery_broker(private_redis.url):
        claim = make_claim(assignee=elena, deadline_end=timezone.localdate())  # queues a sweep on commit
    row = wait_until(
        lambda: claim.reminders.filter(offset_days=0, claimed_at__isnull=False).first(),
        timeout=30, what="the worker to claim the reminder",
    )  # fmt: skip
    worker.kill()  # SIGKILL, worker and pool child: it was waiting for the SMTP greeting
    row.refresh_from_db()
    assert (row.state, row.attempts, smtp.messages) == ("claimed", 1, [])

    # Documented behaviour: a claim is honoured until it expires (its sweep might still be
    # sending), then a later sweep takes the row over and sends it. At least once.
    assert sweep().claimed == 0
    with time_machine.travel(row.claimed_at + claim_timeout() + datetime.timedelta(minutes=1), tick=False):
        assert sweep().sent == 1
        assert sweep().claimed == 0
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, EXPIRED_CLAIM)
    assert reminded_claim_ids(smtp.messages) == [claim.pk]
