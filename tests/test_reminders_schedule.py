"""When reminders fall due, who gets them, and how they follow a claim's changes (time-travelled)."""

import contextlib
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from claims import services
from claims.models import Claim, Precision, Reminder, Status
from claims.reminders import points, schedule
from claims.reminders.enqueue import enqueue_sweep
from claims.reminders.sweep import sweep
from tests.conftest import make_user
from tests.test_reminders_support import ADMIN_LINK

UTC = datetime.UTC
D = datetime.date


def at(day: datetime.date, hour: int = 12, zone=UTC) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)


def outbox_claim_ids(messages=None) -> list[int]:
    """Claim ids listed in the digests in Django's test outbox, one per item."""
    return [int(pk) for message in (messages or mail.outbox) for pk in ADMIN_LINK.findall(message.body)]


def rows_of(claim) -> dict[int, str]:
    return {row.offset_days: row.state for row in Reminder.objects.filter(claim=claim, deadline_end=claim.deadline_end)}


@pytest.mark.parametrize(
    ("deadline", "today", "expected"),
    [
        (D(2026, 12, 31), D(2026, 10, 1), [-30, -7, 0, 7]),  # nothing due yet
        (D(2026, 12, 31), D(2026, 12, 10), [-30, -7, 0, 7]),  # the latest past point, then the rest
        (D(2026, 12, 31), D(2026, 12, 27), [-7, 0, 7]),
        (D(2026, 9, 30), D(2026, 11, 26), [56, 63]),  # 57 days overdue: the latest overdue point and the next
        (D(2026, 11, 20), D(2026, 11, 26), [0, 7]),
    ],
)
def test_points_to_schedule(settings, deadline, today, expected):
    settings.REMINDER_LEAD_DAYS, settings.REMINDER_OVERDUE_EVERY_DAYS = [30, 7], 7
    assert [p.offset_days for p in points.points_to_schedule(deadline, today)] == expected


def test_a_point_falls_due_at_midnight_in_the_newsroom_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    point = points.points_to_schedule(D(2026, 12, 31), D(2026, 12, 1))[0]
    assert point.due_at == datetime.datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # midnight EST


def test_an_assigned_claim_reminds_its_assignee_only(make_claim, elena, chiara):
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        claim = make_claim(assignee=elena, deadline_end=D(2026, 12, 31))
    assert set(claim.reminders.values_list("recipient__username", flat=True)) == {"elena"}
    assert rows_of(claim) == {-30: "pending", -7: "pending", 0: "pending", 7: "pending"}


def test_an_unassigned_claim_reminds_every_editor_who_can_receive_email(
    make_claim, elena, chiara, rita, django_user_model
):
    editors = Group.objects.get(name="Editors")
    django_user_model.objects.create_user("no-email", is_staff=True).groups.add(editors)
    gone = django_user_model.objects.create_user("gone", email="gone@newsroom.example", is_active=False)
    gone.groups.add(editors)
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        claim = make_claim(deadline_end=D(2026, 12, 10))
        sweep()
    assert set(claim.reminders.values_list("recipient__username", flat=True)) == {"elena", "chiara"}, "not rita"
    assert sorted(m.to[0] for m in mail.outbox) == ["chiara@newsroom.example", "elena@newsroom.example"]


def test_an_assignee_without_email_falls_back_to_the_editors(make_claim, elena, django_user_model):
    mute = django_user_model.objects.create_user("mute", is_staff=True)
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        claim = make_claim(assignee=mute, deadline_end=D(2026, 12, 10))
    assert set(claim.reminders.values_list("recipient__username", flat=True)) == {"elena"}


@pytest.mark.parametrize("change", ["deactivated", "email removed"])
def test_an_assignee_who_can_no_longer_be_reminded_hands_every_later_point_to_the_editors(
    make_claim, elena, chiara, change
):
    deadline = D(2026, 12, 31)
    with time_machine.travel(at(D(2026, 12, 1)), tick=False) as traveller:
        claim = make_claim(assignee=elena, deadline_end=deadline)
        assert sweep().sent == 1  # elena: 30 days before
        if change == "deactivated":
            elena.is_active = False
        else:
            elena.email = ""
        elena.save()
        for offset in (-7, 0, 7, 14):
            traveller.move_to(at(deadline + datetime.timedelta(days=offset)))
            assert sweep().sent == 1, f"the {offset:+d} point reached nobody"
    assert [m.to[0] for m in mail.outbox] == ["elena@newsroom.example"] + ["chiara@newsroom.example"] * 4
    assert outbox_claim_ids() == [claim.pk] * 5
    cancelled = claim.reminders.filter(recipient=elena, cancelled_at__isnull=False)
    assert sorted(cancelled.values_list("offset_days", flat=True)) == [-7, 0, 7]
    assert set(cancelled.values_list("last_error", flat=True)) == {schedule.CANCEL_NOT_RESPONSIBLE}


def test_an_editor_who_joins_later_takes_over_a_claim_nobody_could_be_reminded_about(
    make_claim, elena, django_user_model
):
    """The only editor leaves the group: the claim's points go to nobody, then to the next editor to join."""
    deadline = D(2026, 12, 31)
    with time_machine.travel(at(D(2026, 12, 1)), tick=False) as traveller:
        claim = make_claim(deadline_end=deadline)  # unassigned: every editor, that is elena
        assert sweep().sent == 1
        elena.groups.clear()
        for offset in (-7, 0, 7):
            traveller.move_to(at(deadline + datetime.timedelta(days=offset)))
            assert sweep().sent == 0
        assert not claim.reminders.pending().exists(), "every row cancelled: nobody to take them"
        make_user(django_user_model, "nora", groups=["Editors"])
        for offset in (14, 21):
            traveller.move_to(at(deadline + datetime.timedelta(days=offset)))
            assert sweep().sent == 1, f"the {offset:+d} point"
    assert [m.to[0] for m in mail.outbox] == ["elena@newsroom.example"] + ["nora@newsroom.example"] * 2


def test_removing_the_deadline_cancels_the_reminders_and_says_why(make_claim, elena):
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        claim = make_claim(assignee=elena, deadline_end=D(2026, 12, 31))
        claim.deadline_start = claim.deadline_end = None
        claim.deadline_precision = Precision.VAGUE
        services.save_claim(claim, by=elena, reason="The company withdrew the date")
        rows = Reminder.objects.filter(claim=claim)
        assert set(rows.values_list("last_error", flat=True)) == {schedule.CANCEL_NO_DEADLINE}
        assert {row.state for row in rows} == {"cancelled"}

        claim.deadline_end, claim.deadline_precision = D(2026, 12, 31), Precision.DAY
        services.save_claim(claim, by=elena, reason="The company named the date again")
    assert rows_of(claim) == {-30: "pending", -7: "pending", 0: "pending", 7: "pending"}


def test_one_transaction_saving_many_due_claims_queues_one_sweep(make_claim, elena, django_capture_on_commit_callbacks):
    """load_demo or an intake saves many claims in one transaction: one sweep sends them all."""
    with time_machine.travel(at(D(2026, 11, 26)), tick=False), django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            claims = [make_claim(assignee=elena, deadline_end=D(2026, 11, 26)) for _ in range(3)]
    assert callbacks.count(enqueue_sweep) == 1
    assert all(claim.reminders.filter(offset_days=0).exists() for claim in claims)


def test_a_rolled_back_save_does_not_take_the_queued_sweep_with_it(
    make_claim, elena, django_capture_on_commit_callbacks
):
    """The one registration is Django's own: a savepoint rolled back drops it, and the next save registers again."""
    with time_machine.travel(at(D(2026, 11, 26)), tick=False), django_capture_on_commit_callbacks() as callbacks:
        with contextlib.suppress(RuntimeError), transaction.atomic():
            make_claim(assignee=elena, deadline_end=D(2026, 11, 26))
            raise RuntimeError("the intake gave up on this row")
        make_claim(assignee=elena, deadline_end=D(2026, 11, 26))
    assert callbacks.count(enqueue_sweep) == 1


def test_load_demo_queues_one_sweep(elena, django_capture_on_commit_callbacks):
    with time_machine.travel(at(D(2026, 11, 26)), tick=False), django_capture_on_commit_callbacks() as callbacks:
        call_command("load_demo", stdout=io.StringIO())
    assert callbacks.count(enqueue_sweep) == 1


def test_three_days_without_sweeps_send_the_latest_point_and_skip_the_older(settings, make_claim, elena):
    settings.REMINDER_LEAD_DAYS = [30, 2, 1]
    x = D(2026, 3, 10)
    with time_machine.travel(at(D(2026, 3, 5)), tick=False) as traveller:
        a = make_claim(slug="a", assignee=elena, deadline_end=x)
        b = make_claim(slug="b", assignee=elena, deadline_end=x - datetime.timedelta(days=1))
        c = make_claim(slug="c", assignee=elena, deadline_end=x + datetime.timedelta(days=1))
        sweep()  # sends each claim's 30-day reminder
        traveller.move_to(at(D(2026, 3, 7)))
        assert sweep().sent == 1  # b's 2-day reminder
        mail.outbox.clear()

        traveller.move_to(at(D(2026, 3, 10)))  # no sweep on the 8th and 9th
        result = sweep()
        assert (result.digests, result.sent, result.skipped) == (1, 3, 4)
        assert sorted(outbox_claim_ids()) == sorted([a.pk, b.pk, c.pk])
        body = mail.outbox[0].body
        assert "overdue by 1 day" in body and "due today" in body and "1 day left" in body

        assert rows_of(a) == {-30: "sent", -2: "skipped", -1: "skipped", 0: "sent", 7: "pending"}
        assert rows_of(b) == {-30: "sent", -2: "sent", -1: "skipped", 0: "sent", 7: "pending"}
        assert rows_of(c) == {-30: "sent", -2: "skipped", -1: "sent", 0: "pending", 7: "pending"}

        mail.outbox.clear()
        assert sweep().sent == 0
        assert mail.outbox == []


def test_an_overdue_claim_is_reminded_every_interval_while_open(make_claim, elena):
    with time_machine.travel(at(D(2026, 11, 26)), tick=False) as traveller:
        claim = make_claim(assignee=elena, deadline_end=D(2026, 11, 20))
        sent_on = []
        for day in range(22):
            traveller.move_to(at(D(2026, 11, 26) + datetime.timedelta(days=day)))
            if sweep().sent:
                sent_on.append(D(2026, 11, 26) + datetime.timedelta(days=day))
    # Due on the 20th (sent on creation day), then every 7 days after the deadline.
    assert sent_on == [D(2026, 11, 26), D(2026, 11, 27), D(2026, 12, 4), D(2026, 12, 11)]
    assert outbox_claim_ids() == [claim.pk] * 4


DST_CHANGES = [
    pytest.param("Europe/Berlin", D(2026, 3, 29), id="berlin-spring"),
    pytest.param("Europe/Berlin", D(2026, 10, 25), id="berlin-autumn"),
    # Cuba moves its clocks at midnight: 2026-03-08 has no 00:00.
    pytest.param("America/Havana", D(2026, 3, 8), id="havana-spring-at-midnight"),
]


@pytest.mark.parametrize(("zone", "change"), DST_CHANGES)
def test_every_reminder_is_sent_once_on_its_day_around_dst_changes(settings, make_claim, elena, zone, change):
    settings.TIME_ZONE = zone
    settings.REMINDER_LEAD_DAYS = [7]
    tz = ZoneInfo(zone)
    days = [change + datetime.timedelta(days=n) for n in range(-2, 3)]
    with time_machine.travel(at(change - datetime.timedelta(days=10), zone=tz), tick=False) as traveller:
        claims = [
            make_claim(assignee=elena, deadline_end=deadline)
            for deadline in (change, change - datetime.timedelta(days=1), change + datetime.timedelta(days=1),
                             change + datetime.timedelta(days=7), change - datetime.timedelta(days=7))
        ]  # fmt: skip
        # A sweep at the top of every UTC hour from two days before the change to two days
        # after; one sweep just before sends everything due earlier.
        start = at(days[0], hour=0, zone=tz).astimezone(UTC)
        traveller.move_to(start - datetime.timedelta(hours=1))
        sweep()
        mail.outbox.clear()
        hours = int((at(days[-1], hour=23, zone=tz) - start).total_seconds() // 3600) + 1
        for hour in range(hours):
            traveller.move_to(start + datetime.timedelta(hours=hour))
            sweep()

    rows = list(Reminder.objects.filter(claim__in=claims))
    expected = [(r.claim_id, r.offset_days) for r in rows if r.deadline_end + datetime.timedelta(r.offset_days) in days]
    assert len(expected) == 5  # one point of each claim falls in those five days
    sent = {(r.claim_id, r.offset_days): r for r in rows if r.sent_at and r.sent_at >= start}
    assert sorted(sent) == sorted(expected)
    for row in sent.values():
        point_day = row.deadline_end + datetime.timedelta(days=row.offset_days)
        assert row.sent_at.astimezone(tz).date() == point_day, f"{row} sent on the wrong day"
        assert row.attempts == 1
    assert sorted(outbox_claim_ids()) == sorted(claim_id for claim_id, _ in expected)


def test_a_moved_deadline_drops_the_unsent_reminders_of_the_old_date(make_claim, elena, system):
    old, new = D(2026, 12, 16), D(2026, 12, 1)
    with time_machine.travel(at(D(2026, 11, 26)), tick=False) as traveller:
        claim = make_claim(assignee=elena, deadline_end=old)
        sweep()  # the 30-day reminder of the old date
        claim.deadline_end = new
        services.save_claim(claim, by=elena, reason="Company moved the date forward")
        assert Reminder.objects.filter(claim=claim, deadline_end=old).get().state == "sent"
        assert rows_of(claim) == {-7: "pending", 0: "pending", 7: "pending"}
        sweep()
        assert "5 days left" in mail.outbox[-1].body
        for day in (new, old - datetime.timedelta(days=7)):
            traveller.move_to(at(day))
            sweep()
    # 30 days before the old date; then 7 days before, on and 7 days after the new one: the
    # old date's "7 days left" (due on the last day swept) is gone.
    assert outbox_claim_ids() == [claim.pk] * 4
    assert "overdue by 8 days" in mail.outbox[-1].body
    assert rows_of(claim) == {-7: "sent", 0: "sent", 7: "sent", 14: "pending"}


def test_closing_a_claim_cancels_its_unsent_reminders_and_reopening_resumes_them(make_claim, elena):
    with time_machine.travel(at(D(2026, 11, 26)), tick=False) as traveller:
        claim = make_claim(assignee=elena, deadline_end=D(2026, 12, 20))
        services.change_status(claim, Status.FULFILLED, by=elena, reason="Delivered early")
        assert set(rows_of(claim).values()) == {"cancelled"}
        traveller.move_to(at(D(2026, 12, 20)))
        assert sweep().sent == 0 and mail.outbox == []

        services.change_status(claim, Status.IN_PROGRESS, by=elena, reason="Delivery was recalled")
        assert rows_of(claim) == {0: "pending", 7: "pending"}
        assert sweep().sent == 1
    assert "due today" in mail.outbox[0].body


def test_an_editor_who_leaves_the_group_and_comes_back_gets_the_later_points_again(make_claim, elena):
    deadline = D(2026, 12, 31)
    editors = Group.objects.get(name="Editors")
    with time_machine.travel(at(D(2026, 12, 1)), tick=False) as traveller:
        claim = make_claim(deadline_end=deadline)  # unassigned: every editor, that is elena
        assert sweep().sent == 1
        elena.groups.remove(editors)
        traveller.move_to(at(deadline - datetime.timedelta(days=7)))
        assert sweep().sent == 0  # out of the group: the point due now is cancelled, the later ones wait
        elena.groups.add(editors)
        for offset in (0, 7):
            traveller.move_to(at(deadline + datetime.timedelta(days=offset)))
            assert sweep().sent == 1, f"the {offset:+d} point"
    assert outbox_claim_ids() == [claim.pk] * 3
    assert rows_of(claim) == {-30: "sent", -7: "cancelled", 0: "sent", 7: "sent", 14: "pending"}


def test_an_editor_assigned_after_being_dropped_takes_over_the_points_she_had_held(make_claim, elena, chiara):
    deadline = D(2026, 12, 31)
    editors = Group.objects.get(name="Editors")
    with time_machine.travel(at(D(2026, 12, 1)), tick=False) as traveller:
        claim = make_claim(deadline_end=deadline)  # unassigned: elena and chiara
        assert sweep().sent == 2
        chiara.groups.remove(editors)
        traveller.move_to(at(deadline - datetime.timedelta(days=7)))
        assert sweep().sent == 1  # elena only; chiara's row due now is cancelled
        chiara.groups.add(editors)
        services.assign(claim, chiara, by=elena)
        pending = claim.reminders.pending().filter(deadline_end=deadline)
        assert set(pending.values_list("recipient__username", "offset_days")) == {("chiara", 0), ("chiara", 7)}
        traveller.move_to(at(deadline))
        assert sweep().sent == 1
    assert [m.to[0] for m in mail.outbox][-1] == "chiara@newsroom.example"


def test_a_new_assignee_takes_over_the_unsent_reminders(make_claim, elena, chiara):
    with time_machine.travel(at(D(2026, 11, 26)), tick=False) as traveller:
        claim = make_claim(assignee=elena, deadline_end=D(2026, 12, 20))
        sweep()  # elena: 30 days before
        services.assign(claim, chiara, by=elena)
        assert set(claim.reminders.filter(sent_at=None).values_list("recipient__username", flat=True)) == {"chiara"}
        assert sweep().sent == 0, "the point already sent to elena is not sent again to chiara"
        traveller.move_to(at(D(2026, 12, 13)))
        sweep()
    assert [m.to[0] for m in mail.outbox] == ["elena@newsroom.example", "chiara@newsroom.example"]


def _import_claims(claimant, source, system, **deadlines):
    """Claims written around claims.services (a bulk import): no save hook, so no reminder rows."""
    claims = [
        Claim(slug=slug, statement=f"Imported claim {slug}.", claimant=claimant, source=source, deadline_text="soon",
              deadline_end=deadline, deadline_precision=Precision.DAY, assignee=assignee)
        for slug, (deadline, assignee) in deadlines.items()
    ]  # fmt: skip
    return bulk_create_with_history(claims, Claim, default_user=system, default_change_reason="legacy import")


def test_claims_without_reminders_are_scheduled_when_a_point_falls_due(claimant, source, system, elena):
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        _import_claims(
            claimant, source, system,
            week=(D(2026, 12, 3), elena),  # 7 days ahead: a point today
            overdue=(D(2026, 11, 16), elena),  # 10 days overdue: its next point is on 11-30
        )  # fmt: skip
        assert not Reminder.objects.exists()
        result = sweep()
    assert result.scheduled_claims == 1
    assert outbox_claim_ids() == [Claim.objects.get(slug="week").pk]

    with time_machine.travel(at(D(2026, 11, 30)), tick=False):
        sweep()
    assert outbox_claim_ids()[-1] == Claim.objects.get(slug="overdue").pk


def test_backfill_schedules_every_claim_without_reminders_at_once(claimant, source, system, elena):
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        _import_claims(claimant, source, system, overdue=(D(2026, 11, 16), elena), later=(D(2027, 6, 1), elena))
        out = io.StringIO()
        call_command("sweep_deadlines", "--backfill", stdout=out)
    assert "Scheduled reminders for 2 claim(s)" in out.getvalue()
    assert outbox_claim_ids() == [Claim.objects.get(slug="overdue").pk]
    assert rows_of(Claim.objects.get(slug="later")) == {-30: "pending", -7: "pending", 0: "pending", 7: "pending"}


def test_a_deadline_in_1900_does_not_lengthen_every_sweep(claimant, source, system, elena):
    """A typo'd deadline far in the past: the sweep looks back a bounded number of points; --backfill covers it."""
    today = D(2026, 11, 26)
    typo = today - datetime.timedelta(days=7 * 6574)  # 1900-11-27: an overdue point falls on today
    deadlines = points.deadlines_with_a_point_on(today, typo)
    assert typo not in deadlines and len(deadlines) < 200, f"{len(deadlines)} dates on every sweep"
    assert len(deadlines) == len(points.fixed_offsets()) + points.OVERDUE_LOOKBACK_POINTS
    with time_machine.travel(at(today), tick=False):
        _import_claims(claimant, source, system, typo=(typo, elena))
        assert sweep().scheduled_claims == 0
        call_command("sweep_deadlines", "--backfill", stdout=io.StringIO())
    assert "overdue by 46018 days" in mail.outbox[0].body


def test_an_idle_sweep_costs_the_same_however_many_claims(claimant, source, system, elena, django_assert_num_queries):
    """Nothing due: a fixed handful of indexed queries, whatever the size of the register."""
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        for batch in range(2):
            _import_claims(
                claimant, source, system,
                **{f"c{batch}-{n}": (D(2027, 1, 1) + datetime.timedelta(days=n * 3 + batch), elena) for n in range(40)},
            )  # fmt: skip
            # Earliest open deadline, claims without rows on today's point dates, due rows, reviews waiting too
            # long (the pending reviews' index), claimable rows.
            with django_assert_num_queries(5):
                assert sweep().claimed == 0


def test_the_demo_editor_gets_one_digest_in_one_sweep(db, settings, capsys):
    """`make run`: create_editor + load_demo --assign-to editor, then one sweep prints one digest."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    with time_machine.travel(at(D(2026, 11, 26)), tick=False):
        call_command("create_editor", "editor", "--email", "editor@example.org", "--chief", stdout=io.StringIO())
        call_command("load_demo", "--assign-to", "editor", stdout=io.StringIO())
        capsys.readouterr()
        call_command("sweep_deadlines")
        first = capsys.readouterr().out
        call_command("sweep_deadlines")
        second = capsys.readouterr().out
    assert first.count("To: editor@example.org") == 1
    assert "Example Motors will open its second battery plant" in first
    assert "overdue by 57 days" in first
    assert "1 digest(s) sent with 1 reminder(s)" in first
    assert "To:" not in second and "0 digest(s)" in second
