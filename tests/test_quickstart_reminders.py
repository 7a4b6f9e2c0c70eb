"""Reminders go out on a machine without Redis: worker and beat on kombu's filesystem broker.

The worker and beat are `celery -A factcheck ...` subprocesses that find nothing on
127.0.0.1:6379 (tests/test_quickstart_support.without_redis) and have no REDIS_URL, so
they choose the files in RUN_DIR by themselves, as under `make run` on such a machine.
This process stands for the web process: a save queues its sweep in the same folder.
The digest goes to an SMTP server the test starts.
"""

# Fixtures imported from test_reminders_support are used as test arguments, which ruff reads as redefinitions.
# ruff: noqa: F811

import contextlib
from pathlib import Path

import pytest
from django.utils import timezone

from claims.models import Reminder
from factcheck import quickstart
from factcheck.celery import app as celery_app
from tests.test_quickstart_support import without_redis
from tests.test_reminders_schedule import _import_claims
from tests.test_reminders_support import (  # noqa: F401 - fixtures
    WORKER_ARGS,
    celery_processes,
    needs_postgresql,
    process_env,
    reminded_claim_ids,
    smtp_server,
    wait_until,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _on_postgresql():
    needs_postgresql()


@contextlib.contextmanager
def filesystem_broker(folder: Path):
    """This process's Celery app (the producer behind enqueue_sweep) on the filesystem broker in ``folder``."""
    conf = celery_app.conf
    previous = conf.broker_url, conf.broker_transport_options
    conf.broker_url, conf.broker_transport_options = "filesystem://localhost//", quickstart.filesystem_broker(folder)
    celery_app._after_fork()  # drop the pools connected to the previous broker (Celery's own reset)
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options = previous
        celery_app._after_fork()


def test_without_redis_a_save_and_beat_both_get_reminders_sent(
    make_claim, claimant, source, system, elena, smtp_server, celery_processes, tmp_path
):
    run_dir = tmp_path / "run"
    env = process_env(redis_url="unused", smtp_port=smtp_server.port, REMINDER_SWEEP_SECONDS=10, RUN_DIR=run_dir)
    del env["REDIS_URL"]
    env = without_redis(env, tmp_path / "no-redis")
    worker = celery_processes("worker", env, "--pool=solo", *WORKER_ARGS)
    worker.wait_for("ready.")
    assert "Connected to filesystem://" in worker.output()
    today = timezone.localdate()

    with filesystem_broker(run_dir / "celery"):
        # Saved through the services: its sweep is queued in the folder when the save commits.
        saved = make_claim(assignee=elena, deadline_end=today)
        wait_until(lambda: len(smtp_server.messages) >= 1, timeout=40, what="the saved claim's digest")

    # Imported around the services (nothing queued): only beat's sweep, through the folder, finds it.
    (imported,) = _import_claims(claimant, source, system, imported=(today, elena))
    beat = celery_processes("beat", env, f"--schedule={tmp_path / 'beat-schedule'}")
    beat.wait_for("Sending due task sweep-deadlines", timeout=30)
    wait_until(lambda: len(smtp_server.messages) >= 2, timeout=40, what="the imported claim's digest")

    assert reminded_claim_ids(smtp_server.messages) == [saved.pk, imported.pk]
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == ["elena@newsroom.example"] * 2
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 2
    for process in (worker, beat):
        assert "redis://" not in process.output()
    assert not list((run_dir / "celery" / "queue").iterdir()), "every message was taken"
