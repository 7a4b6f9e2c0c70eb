"""The sweep: racing sweeps on PostgreSQL, SMTP failures, the digest, query counts."""

# Fixtures imported from test_reminders_support are used as test arguments, which ruff reads as redefinitions.
# ruff: noqa: F811

import datetime
import logging
import threading
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection, connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from claims import services
from claims.models import Claim, Comparator, Precision, Reminder
from claims.reminders import schedule
from claims.reminders.sweep import claim_due, reconcile_due, retry_delay, sweep
from claims.tasks import sweep_deadlines
from tests.conftest import make_user
from tests.test_reminders_schedule import at, outbox_claim_ids, rows_of
from tests.test_reminders_support import (  # noqa: F401 - fixtures
    celery_broker,
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
    expected = [
        "Acme <b>will</b> ship 1,000 vans & more by 2026.", "Nissan", "by the end of 2026 (31 December 2026)",
        "7 days left", "vans delivered >= 1,000 vans", admin_url, claim.get_absolute_url(),
    ]  # fmt: skip
    for shown in expected:
        assert shown in text
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
    # Discovery 2, reconcile 3 (rows, claims, the points the claims hold: none missing, no INSERT), reviews
    # waiting too long 1 (none), claim 3, latest points 1; per digest (two):
    # the renewed claim and "sent".
    assert len(queries) == 2 + 3 + 1 + 3 + 1 + 2 * 2


class SlowWire:
    """What the next message on the wire does to the clock: time-travelled, never slept."""

    traveller = None
    seconds_per_message = 0
    while_sending = None  # called once, while the next message is on the wire


class SlowWireBackend(locmem.EmailBackend):
    """Django's test outbox behind a slow (or hanging) SMTP server."""

    def send_messages(self, messages):
        hook, SlowWire.while_sending = SlowWire.while_sending, None
        if hook:
            hook()
        if SlowWire.seconds_per_message:
            SlowWire.traveller.shift(SlowWire.seconds_per_message)
        return super().send_messages(messages)


@pytest.fixture
def slow_wire(settings):
    settings.EMAIL_BACKEND = f"{__name__}.SlowWireBackend"
    yield SlowWire
    SlowWire.traveller, SlowWire.seconds_per_message, SlowWire.while_sending = None, 0, None


def due_today_for(make_claim, users) -> list[Claim]:
    return [make_claim(assignee=user, deadline_end=timezone.localdate()) for user in users]


def test_a_sweep_out_of_time_leaves_the_rest_to_the_next_sweep(settings, make_claim, django_user_model, slow_wire):
    """SMTP at 200 s a digest: after half the claim timeout, no new digest is started; the next sweep sends it."""
    settings.REMINDER_CLAIM_TIMEOUT_SECONDS = 600
    desk = [make_user(django_user_model, f"ed{n}") for n in range(3)]
    with time_machine.travel(at(D(2026, 11, 26)), tick=False) as traveller:
        due_today_for(make_claim, desk)
        slow_wire.traveller, slow_wire.seconds_per_message = traveller, 200
        first = sweep()
        assert (first.digests, first.more_due) == (2, True)
        assert first.released == 1
        left = Reminder.objects.get(recipient=desk[2], offset_days=0)
        assert (left.state, left.claimed_at, left.claim_token, left.attempts) == ("pending", None, "", 0)
        second = sweep()
    assert (second.digests, second.more_due) == (1, False)
    assert sorted(m.to[0] for m in mail.outbox) == [user.email for user in desk]


def test_a_sweep_whose_claims_were_taken_over_sends_none_of_them_again(
    settings, make_claim, django_user_model, slow_wire, caplog
):
    """Sweep A hangs on its first digest until sweep B (a worker with a 60 s claim timeout) takes its rows over.

    B sends all three digests. A's first digest was already on the wire: it arrives twice
    (the documented at-least-once case) and A says so; A sends neither of the others.
    """
    settings.REMINDER_CLAIM_TIMEOUT_SECONDS = 900
    desk = [make_user(django_user_model, f"ed{n}") for n in range(3)]
    other = []

    def other_sweep_takes_over():
        traveller.shift(datetime.timedelta(minutes=2))
        with override_settings(REMINDER_CLAIM_TIMEOUT_SECONDS=60):
            other.append(sweep())

    with time_machine.travel(at(D(2026, 11, 26)), tick=False) as traveller:
        due_today_for(make_claim, desk)
        slow_wire.while_sending = other_sweep_takes_over
        with caplog.at_level(logging.WARNING, logger="claims.reminders.sweep"):
            first = sweep()

    assert Counter(m.to[0] for m in mail.outbox) == {"ed0@newsroom.example": 2, "ed1@newsroom.example": 1,
                                                      "ed2@newsroom.example": 1}  # fmt: skip
    assert (other[0].claimed, other[0].digests) == (3, 3)
    assert (first.digests, first.lost) == (1, 2)
    assert "only 0 of its 1 reminder(s) were still held by this sweep" in caplog.text
    assert caplog.text.count("taken over by another sweep, which sends them") == 2
    assert {(row.state, row.attempts) for row in Reminder.objects.filter(offset_days=0)} == {("sent", 2)}


def test_reconciling_never_cancels_a_row_another_sweep_holds(make_claim, elena, chiara):
    """Sweep B claims elena's row between sweep A reading it (she left the Editors) and cancelling it."""
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        claim = make_claim(deadline_end=D(2026, 11, 26))  # unassigned: elena and chiara
        elena.groups.clear()
        raced = []

        def sweep_b_claims_first(execute, sql, params, many, context):
            if not raced and 'SET "cancelled_at"' in sql:
                raced.append(None)  # before claiming: claim_due's own queries pass through here too
                raced[0] = claim_due(timezone.now())
            return execute(sql, params, many, context)

        with connection.execute_wrapper(sweep_b_claims_first):
            assert reconcile_due(timezone.now(), schedule.Recipients()) == 0
        token, held, _ = raced[0]
        assert {row.recipient for row in held} == {elena, chiara}
        row = claim.reminders.get(recipient=elena, offset_days=0)
        assert row.cancelled_at is None and row.claim_token == token


def reminder_inserts(queries) -> list[str]:
    # PostgreSQL writes ignore_conflicts as ON CONFLICT DO NOTHING, SQLite as INSERT OR IGNORE.
    return [
        query["sql"]
        for query in queries
        if query["sql"].startswith(('INSERT INTO "claims_reminder"', 'INSERT OR IGNORE INTO "claims_reminder"'))
    ]


def test_reconciling_inserts_only_the_rows_a_claim_lacks(make_claim, elena):
    """A claim that holds its rows costs no INSERT; when its overdue point is due, only the next one is added."""
    deadline, every = D(2026, 11, 26), django_settings.REMINDER_OVERDUE_EVERY_DAYS
    with time_machine.travel(at(deadline), tick=False):
        claim = make_claim(assignee=elena, deadline_end=deadline)
        with CaptureQueriesContext(connection) as queries:
            assert sweep().sent == 1
    assert reminder_inserts(queries) == []
    with time_machine.travel(at(deadline + datetime.timedelta(days=every)), tick=False):
        with CaptureQueriesContext(connection) as queries:
            assert sweep().sent == 1
    assert len(reminder_inserts(queries)) == 1
    assert rows_of(claim)[every] == "sent" and rows_of(claim)[2 * every] == "pending"


def test_a_row_inserted_by_another_sweep_after_the_read_is_no_error(make_claim, elena):
    """The read of the rows a claim holds can race another sweep; the unique constraint's ON CONFLICT absorbs it."""
    deadline, every = D(2026, 11, 26), django_settings.REMINDER_OVERDUE_EVERY_DAYS
    with time_machine.travel(at(deadline), tick=False):
        claim = make_claim(assignee=elena, deadline_end=deadline)
    raced = []

    def other_sweep_inserts_first(execute, sql, params, many, context):
        if not raced and reminder_inserts([{"sql": sql}]):
            raced.append(None)  # the INSERT below passes through here too
            schedule.schedule([claim], today=timezone.localdate())  # what a concurrent sweep inserts meanwhile
        return execute(sql, params, many, context)

    with time_machine.travel(at(deadline + datetime.timedelta(days=every)), tick=False):
        with connection.execute_wrapper(other_sweep_inserts_first):
            assert sweep().sent == 1
    assert raced and rows_of(claim)[2 * every] == "pending"
    assert claim.reminders.filter(offset_days=2 * every).count() == 1


def test_the_task_is_stopped_before_its_claims_could_expire():
    assert sweep_deadlines.soft_time_limit < sweep_deadlines.time_limit < django_settings.REMINDER_CLAIM_TIMEOUT_SECONDS
