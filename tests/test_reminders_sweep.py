"""The sweep: racing sweeps on PostgreSQL, SMTP failures, the digest, query counts."""

# Fixtures imported from test_reminders_support are used as test arguments, which ruff reads as redefinitions.
# ruff: noqa: F811

import datetime
import threading
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from claims import services
from claims.models import Claim, Comparator, Precision, Reminder
from claims.reminders import schedule
from claims.reminders.sweep import retry_delay, sweep
from tests.test_reminders_schedule import at, outbox_claim_ids
from tests.test_reminders_support import (  # noqa: F401 - fixtures
    celery_broker,
    fast_password_hashing,
    needs_postgresql,
    reminded_claim_ids,
    smtp,
    smtp_server,
    wait_until,
)

D = datetime.date


@pytest.fixture
def no_broker():
    """Saves in transactional tests queue their sweep in memory, not in a Redis nobody reads."""
    with celery_broker("memory://"):
        yield


def lock_waiters() -> int:
    """Sessions on the test database waiting for a row lock: the racing sweeps' claiming UPDATEs."""
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps serving its first snapshot of the statistics.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)  # other processes see only committed rows
def test_two_sweeps_at_once_send_each_of_100_due_reminders_exactly_once(
    claimant, source, system, django_user_model, no_broker
):
    needs_postgresql()
    editors = Group.objects.get(name="Editors")
    desk = [django_user_model.objects.create_user(f"ed{n}", email=f"ed{n}@newsroom.example") for n in range(4)]
    for user in desk:
        user.groups.add(editors)
    today = timezone.localdate()
    claims = bulk_create_with_history(
        [
            Claim(slug=f"due-{n}", statement=f"Due claim {n}.", claimant=claimant, source=source,
                  deadline_end=today - datetime.timedelta(days=1), deadline_precision=Precision.DAY,
                  assignee=desk[n % 4])
            for n in range(100)
        ],
        Claim, default_user=system, default_change_reason="test import",
    )  # fmt: skip
    schedule.backfill(today)
    assert Reminder.objects.due(datetime.datetime.now(datetime.UTC)).count() == 100

    results, errors = [], []

    def run_sweep():
        try:
            results.append(sweep())
        except Exception as exc:  # reported below; a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_sweep) for _ in range(2)]
    # Hold every due row locked so that both sweeps reach their claiming UPDATE and wait
    # on the same rows; releasing the lock lets them race for real.
    with transaction.atomic():
        list(Reminder.objects.filter(offset_days=0).select_for_update())
        for thread in threads:
            thread.start()
        wait_until(lambda: lock_waiters() >= 2, timeout=20, what="both sweeps to wait on the locked rows")
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sum(result.sent for result in results) == 100
    reminded = outbox_claim_ids()
    assert len(reminded) == 100 and set(reminded) == {claim.pk for claim in claims}, "each claim exactly once"
    due_rows = Reminder.objects.filter(offset_days=0)
    assert due_rows.filter(sent_at__isnull=False, attempts=1).count() == 100, "no row was claimed twice"


def test_smtp_refusing_then_accepting_sends_once_and_records_the_attempts(make_claim, elena, smtp):
    smtp.handler.refuse = 1
    with time_machine.travel(at(D(2026, 11, 26)), tick=False) as traveller:
        claim = make_claim(assignee=elena, deadline_end=D(2026, 11, 26))
        first = sweep()
        row = claim.reminders.get(offset_days=0)
        assert (first.failed, first.sent, smtp.messages) == (1, 0, [])
        assert row.sent_at is None and row.attempts == 1 and row.state == "retrying"
        assert "451" in row.last_error and "try again later" in row.last_error

        assert sweep().claimed == 0, "not retried before its backoff"
        traveller.shift(retry_delay(1) + datetime.timedelta(seconds=1))
        second = sweep()
        assert (second.sent, second.digests) == (1, 1)
        assert sweep().claimed == 0

    row.refresh_from_db()
    assert row.state == "sent" and row.attempts == 2 and "451" in row.last_error
    assert smtp.handler.refused == 1
    assert reminded_claim_ids(smtp.messages) == [claim.pk]
    assert smtp.messages[0]["X-Envelope-To"] == "elena@newsroom.example"


def test_an_unreachable_smtp_server_is_recorded_and_retried(make_claim, elena, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # discard port: nothing listens
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        claim = make_claim(assignee=elena, deadline_end=D(2026, 11, 26))
        assert sweep().failed == 1
    row = claim.reminders.get(offset_days=0)
    assert row.sent_at is None and row.attempts == 1 and "Connection refused" in row.last_error
    assert row.retry_after == at(D(2026, 11, 26)) + retry_delay(1)


def test_retry_backoff_doubles_up_to_six_hours():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert retry_delay(30) == datetime.timedelta(hours=6)


def test_one_digest_per_recipient_lists_every_claim_due_for_them(make_claim, elena, chiara):
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        mine = [
            make_claim(assignee=elena, deadline_end=D(2026, 11, 26) + datetime.timedelta(days=d)) for d in (-8, 0, 7)
        ]
        theirs = make_claim(assignee=chiara, deadline_end=D(2026, 12, 3))
        result = sweep()
    assert (result.digests, result.sent) == (2, 4)
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert outbox_claim_ids([by_recipient["elena@newsroom.example"]]) == [claim.pk for claim in mine]
    assert outbox_claim_ids([by_recipient["chiara@newsroom.example"]]) == [theirs.pk]
    assert by_recipient["elena@newsroom.example"].subject == "Claim deadlines: 1 overdue, 1 due today, 1 coming up"


def test_the_digest_has_text_and_html_with_everything_an_editor_needs(make_claim, elena, chiara):
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        claim = make_claim(
            statement="Acme <b>will</b> ship 1,000 vans & more by 2026.", assignee=elena,
            deadline_text="by the end of 2026", deadline_end=D(2026, 12, 31),
            target_quantity="vans delivered", target_comparator=Comparator.GE, target_value=Decimal("1000"),
            target_unit="vans",
        )  # fmt: skip
        services.publish(claim, by=chiara)
        traveller_day = D(2026, 12, 24)
    with time_machine.travel(at(traveller_day), tick=False):
        sweep()
    message = mail.outbox[-1]
    text, (html, mimetype) = message.body, message.alternatives[0]
    assert mimetype == "text/html"
    admin_url = f"http://127.0.0.1:8000/admin/claims/claim/{claim.pk}/change/"
    for expected in ("Acme <b>will</b> ship 1,000 vans & more by 2026.", "Nissan", "by the end of 2026 (2026-12-31)",
                     "7 days left", "vans delivered >= 1000 vans", admin_url, claim.get_absolute_url()):  # fmt: skip
        assert expected in text
    assert "Acme &lt;b&gt;will&lt;/b&gt; ship 1,000 vans &amp; more" in html and "<b>will</b>" not in html
    assert f'href="{admin_url}"' in html and "7 days left" in html
    assert "Public page" in html


def test_a_draft_digest_has_no_public_link(make_claim, elena):
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        make_claim(assignee=elena, deadline_end=D(2026, 11, 26))
        sweep()
    assert "Public page" not in mail.outbox[0].body and "(draft)" in mail.outbox[0].body


@pytest.mark.parametrize("per_editor", [1, 6])
def test_sweep_queries_do_not_grow_with_the_number_of_reminders(make_claim, elena, chiara, per_editor):
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        for editor in (elena, chiara):
            for n in range(per_editor):
                make_claim(assignee=editor, deadline_end=D(2026, 11, 26) - datetime.timedelta(days=n))
        with CaptureQueriesContext(connection) as queries:
            result = sweep()
    assert result.sent == 2 * per_editor
    # Discovery 2, reconcile 3 (rows, claims, next points), claim 3, latest points 1, one "sent" per digest.
    assert len(queries) == 2 + 3 + 3 + 1 + 2
