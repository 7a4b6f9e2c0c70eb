"""Followers and tipsters with a real Celery worker (and beat), a real SMTP server and PostgreSQL.

What the issue asks to see end to end: the confirmation first, a digest after a public
change and none for a draft's, unsubscribing in one POST, erasure; the tip flow to the
tipster's notice; and delivery surviving a worker killed mid-send and an SMTP outage.
"""

# Fixtures imported from the support modules are used as test arguments, which ruff reads as redefinitions.
# ruff: noqa: F811

import datetime
import socket

import pytest
import time_machine
from celery import current_app
from django.conf import settings
from django.test import Client
from django.utils import timezone

from claims import services
from claims.models import Reader, ReaderMessage, ReaderTip, Status, Subscription
from claims.readers import digests, tips
from claims.readers.enqueue import SWEEP_TASK, enqueue_sweep
from tests.html_forms import post_form
from tests.test_readers_support import (
    FOLLOW_CONFIRM,
    TIP_CONFIRM,
    change_status,
    confirmed,
    header,
    path_of,
    text_of,
)
from tests.test_reminders_support import (  # noqa: F401 - fixtures
    WORKER_ARGS,
    celery_broker,
    celery_processes,
    needs_postgresql,
    private_redis,
    process_env,
    smtp,
    smtp_server,
    wait_until,
)

pytest_plugins = ["tests.test_readers_support"]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Far from today: no editor's deadline reminder joins these emails at the SMTP server.
FAR = datetime.date(2031, 12, 31)


@pytest.fixture(autouse=True)
def _on_postgresql():
    needs_postgresql()


def one_more_sweep(worker):
    """Queue a sweep and wait until the worker has run it, and so everything queued before it.

    It waits for this sweep's own task id: the broker is the suite's shared Redis, where
    other tests may have left sweeps behind, and counting any sweep's success let the wait
    end while the sweep under test was still talking to the SMTP server. The solo pool runs
    what it receives in order, so once ours has succeeded the ones queued before it have too.
    """
    task = current_app.signature(SWEEP_TASK).apply_async(retry=False)
    worker.wait_for(f"Task {SWEEP_TASK}[{task.id}] succeeded", timeout=40)


def mail_to(server, address: str, count: int):
    found = lambda: [m for m in server.messages if m["X-Envelope-To"] == address]  # noqa: E731
    wait_until(lambda: len(found()) >= count, timeout=40, what=f"{count} email(s) to {address}")
    return found()


def test_a_follower_end_to_end_with_a_worker_and_beat(
    make_claim, system, chiara, smtp_server, celery_processes, tmp_path
):
    env = process_env(redis_url=settings.REDIS_URL, smtp_port=smtp_server.port, FOLLOW_DIGEST_SECONDS=10)
    worker = celery_processes("worker", env, "--pool=solo", *WORKER_ARGS)
    worker.wait_for("ready.")
    claim = make_claim(statement="Acme will open 12 stores by 2031.", deadline_end=FAR, published_at=timezone.now())
    reader = Client(enforce_csrf_checks=True)

    # 1. The reader asks; the worker (queued when the request commits) sends the confirmation, and only that.
    url = f"/follow/?claim={claim.slug}"
    assert (
        reader.post(url, post_form(reader.get(url).content.decode()).data(email="ana@example.org")).status_code == 302
    )
    (confirmation,) = mail_to(smtp_server, "ana@example.org", 1)
    assert header(confirmation, "Subject").startswith("Please confirm")
    change_status(claim, Status.IN_PROGRESS, system, reason="Before the reader confirmed")
    one_more_sweep(worker)
    assert len(smtp_server.messages) == 1, "nothing but the confirmation before the reader confirms"

    # 2. Confirmed; a draft's change and an internal note bring nothing.
    link = path_of(FOLLOW_CONFIRM.search(text_of(confirmation)).group(0))
    assert reader.post(link, post_form(reader.get(link).content.decode()).data()).status_code == 200
    draft = make_claim(statement="A draft.", deadline_end=FAR)
    change_status(draft, Status.MISSED, system, resolved_on=datetime.date(2026, 12, 1))
    claim.refresh_from_db()
    claim.notes = "Internal only."
    services.save_claim(claim, by=system, reason="A note")
    one_more_sweep(worker)
    assert len(smtp_server.messages) == 1, "no email for a draft's change or an internal field"

    # 3. A public change: beat's next sweep sends the digest.
    beat = celery_processes("beat", env, f"--schedule={tmp_path / 'beat-schedule'}")
    change_status(claim, Status.STALLED, system, reason="Works halted")
    beat.wait_for("Sending due task sweep-followers", timeout=30)
    digest = mail_to(smtp_server, "ana@example.org", 2)[1]
    assert header(digest, "Subject") == "Claims you follow: 1 change"
    text = text_of(digest)
    assert "Status changed to Stalled" in text and "Acme will open 12 stores by 2031." in text
    assert "A draft" not in text and "Internal only." not in text and "Before the reader confirmed" not in text

    # 4. One POST to the List-Unsubscribe address, as a mail client sends it, and nothing more arrives.
    assert header(digest, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    unsubscribe = path_of(header(digest, "List-Unsubscribe").strip("<>"))
    mail_client = Client(enforce_csrf_checks=True)
    answer = mail_client.post(
        unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200 and not Subscription.objects.exists()
    change_status(claim, Status.MISSED, system, resolved_on=datetime.date(2026, 12, 2))
    one_more_sweep(worker)
    assert len(smtp_server.messages) == 2

    # 5. Erased on request from the desk: the address is gone.
    desk = Client()
    desk.force_login(chiara)
    (person,) = Reader.objects.all()
    desk.post("/admin/claims/reader/", {"action": "erase", "_selected_action": [person.pk], "index": 0})
    assert not Reader.objects.exists() and not ReaderMessage.objects.exists()


def test_a_tipster_confirms_and_is_told_when_a_claim_from_the_tip_is_published(
    make_claim, system, elena, chiara, smtp_server, celery_processes
):
    env = process_env(redis_url=settings.REDIS_URL, smtp_port=smtp_server.port)
    worker = celery_processes("worker", env, "--pool=solo", *WORKER_ARGS)
    worker.wait_for("ready.")
    tipster = Client(enforce_csrf_checks=True)
    form = post_form(tipster.get("/suggest/").content.decode())
    tip_text = {"statement": "Acme will open a plant in Leeds by 2031.", "claimant": "Acme", "email": "tom@example.org"}
    assert tipster.post("/suggest/", form.data(**tip_text)).status_code == 302
    (confirmation,) = mail_to(smtp_server, "tom@example.org", 1)
    link = path_of(TIP_CONFIRM.search(text_of(confirmation)).group(0))
    assert tipster.post(link, post_form(tipster.get(link).content.decode()).data()).status_code == 200

    tip = ReaderTip.objects.get()
    claim = make_claim(statement="Acme will open a plant in Leeds by 2031.", deadline_end=FAR)
    tips.link_claims(tip.pk, [claim], by=elena)  # as intake does (tests/test_readers_tips.py walks the pages)
    services.publish(claim, by=chiara)
    assert enqueue_sweep()  # or beat's next one (FOLLOW_DIGEST_SECONDS)
    notice = mail_to(smtp_server, "tom@example.org", 2)[1]
    assert header(notice, "Subject") == "A claim from your tip is now on our tracker"
    assert claim.get_absolute_url() in text_of(notice)
    one_more_sweep(worker)
    assert len(smtp_server.messages) == 2


@pytest.fixture
def silent_smtp():
    """A port that accepts connections and never greets: a send hangs there until we kill it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_a_worker_killed_mid_send_loses_nothing_and_sends_once(
    make_claim, system, private_redis, silent_smtp, smtp, celery_processes
):
    env = process_env(redis_url=private_redis.url, smtp_port=silent_smtp, EMAIL_TIMEOUT=120)
    worker = celery_processes("worker", env, "--concurrency=1", *WORKER_ARGS)
    worker.wait_for("ready.")
    claim = make_claim(deadline_end=FAR, published_at=timezone.now())
    confirmed("uma@example.org", claim=claim)
    with celery_broker(private_redis.url):
        change_status(claim, Status.IN_PROGRESS, system)
        assert enqueue_sweep()
    row = wait_until(
        lambda: ReaderMessage.objects.filter(kind=ReaderMessage.Kind.CHANGE, claimed_at__isnull=False).first(),
        timeout=30, what="the worker to claim the change",
    )  # fmt: skip
    worker.kill()  # SIGKILL while it waits for the SMTP greeting
    row.refresh_from_db()
    assert (row.state, row.attempts, smtp.messages) == ("claimed", 1, [])

    assert digests.sweep().claimed == 0, "a claim is honoured until it expires"
    with time_machine.travel(row.claimed_at + digests.claim_timeout() + datetime.timedelta(minutes=1), tick=False):
        assert digests.sweep().sent == 1
        assert digests.sweep().claimed == 0
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 2, digests.EXPIRED_CLAIM)
    assert [m["X-Envelope-To"] for m in smtp.messages] == ["uma@example.org"]


def test_an_smtp_outage_under_the_worker_is_retried_and_sent_once(make_claim, system, smtp, celery_processes):
    claim = make_claim(deadline_end=FAR, published_at=timezone.now())
    # Before the worker starts, so that no sweep sends the confirmation (moot once confirmed)
    # into the outage below; the first sweep runs what the suite's shared broker still held.
    confirmed("vic@example.org", claim=claim)
    env = process_env(redis_url=settings.REDIS_URL, smtp_port=smtp.port)
    worker = celery_processes("worker", env, "--pool=solo", *WORKER_ARGS)
    worker.wait_for("ready.")
    one_more_sweep(worker)
    assert not ReaderMessage.objects.filter(sent_at__isnull=False).exists()
    smtp.handler.refuse = 1
    change_status(claim, Status.IN_PROGRESS, system)
    one_more_sweep(worker)
    row = ReaderMessage.objects.get(kind=ReaderMessage.Kind.CHANGE)
    assert row.state == "retrying" and "451" in row.last_error and smtp.messages == []
    one_more_sweep(worker)
    row.refresh_from_db()
    assert row.state == "retrying", "not before its backoff"

    with time_machine.travel(row.retry_after + datetime.timedelta(seconds=1), tick=False):
        assert digests.sweep().sent == 1
    one_more_sweep(worker)
    assert [m["X-Envelope-To"] for m in smtp.messages] == ["vic@example.org"]
    assert smtp.handler.refused == 1
