"""Which reminder rows exist: created when a claim is saved, kept in step when it changes.

``sync_claim`` runs inside every claim save (claims.services.claim_saved_hooks), so all
write paths keep the outbox right:

- a new open claim with a deadline gets its rows (points.points_to_schedule);
- a moved deadline drops the unsent rows of the old date and schedules the new one;
- closing a claim, or removing its deadline, cancels its unsent rows; reopening it (or
  setting a deadline again) schedules them again;
- a new assignee takes over the unsent rows (re-targeting), so nobody is reminded twice.

Who can be reminded changes outside claim saves too (an assignee deactivated or without
an email address, editors joining or leaving the Editors group). The sweep follows that
when a row falls due: a row whose recipient is no longer responsible is cancelled and the
claim is scheduled again for its current recipients (``reschedule`` in sweep.py).

Claims written around the services (bulk imports, data from before reminders existed),
and claims left with no pending row (every recipient gone at once), are found by
``schedule_unscheduled_due_on`` on the day one of their points falls due; ``backfill``
schedules all of them at once.
"""

import datetime
import logging
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Exists, Min, OuterRef
from django.utils import timezone

from claims.models import Claim, Reminder, Status
from claims.reminders import points

logger = logging.getLogger(__name__)

EDITORS_GROUP = "Editors"
BATCH = 1000

# Why a pending row was cancelled, shown in the admin's reminders inline. Written here by
# the save hook and by the sweep (which imports them), so both say the same thing.
CANCEL_CLOSED = "Cancelled: the claim was closed."
CANCEL_NO_DEADLINE = "Cancelled: the claim's deadline was removed."
CANCEL_MOVED = "Cancelled: the claim's deadline moved."
CANCEL_NOT_RESPONSIBLE = "Cancelled: the recipient is no longer reminded about this claim."
CANCEL_UNREACHABLE = "Cancelled: the recipient is inactive or has no email address."


class Recipients:
    """Who is reminded about a claim: its assignee, or else every editor who can receive email.

    An assignee who is inactive or has no email address cannot be reminded, so the claim
    falls back to the editors as if it were unassigned: a reminder nobody receives is a
    missed deadline. The editors are read once per instance (one sweep, one save).
    """

    def __init__(self):
        self._editors = None

    @staticmethod
    def can_receive(user) -> bool:
        return user is not None and user.is_active and bool(user.email)

    def editors(self) -> list:
        if self._editors is None:
            self._editors = list(
                get_user_model()
                .objects.filter(is_active=True, groups__name=EDITORS_GROUP)
                .exclude(email="")
                .order_by("pk")
                .distinct()
            )
        return self._editors

    def for_claim(self, claim: Claim) -> list:
        return [claim.assignee] if self.can_receive(claim.assignee) else self.editors()


def schedule(claims: Iterable[Claim], *, today: datetime.date, recipients: Recipients | None = None) -> list[Reminder]:
    """Create the rows each open, dated claim should hold today; rows that exist are left alone.

    Returns the rows the claims should hold, whether they were created now or existed.
    """
    rows = [_row(*wanted) for wanted in _points_to_hold(claims, today, recipients or Recipients())]
    _insert(rows)
    return rows


def schedule_missing(
    claims: Iterable[Claim], *, today: datetime.date, recipients: Recipients | None = None
) -> list[Reminder]:
    """schedule() for the sweeps, which see claims that mostly hold their rows already: insert only the others.

    One query reads which points the claims hold, so a sweep neither builds nor sends
    thousands of rows for PostgreSQL to turn away through the unique constraint. The save
    hook keeps calling schedule(): a new claim holds nothing, and the extra read would
    only add a query to every save. Returns the rows it inserted (or found inserted by a
    concurrent sweep meanwhile).
    """
    wanted = list(_points_to_hold(claims, today, recipients or Recipients()))
    if not wanted:
        return []
    # The key of claims_reminder_once_per_point, read through its index (claim first).
    held = set(
        Reminder.objects.filter(claim_id__in={claim.pk for claim, _, _ in wanted}).values_list(
            "claim_id", "offset_days", "deadline_end", "recipient_id"
        )
    )
    rows = [
        _row(claim, point, recipient)
        for claim, point, recipient in wanted
        if (claim.pk, point.offset_days, claim.deadline_end, recipient.pk) not in held
    ]
    _insert(rows)
    return rows


def _points_to_hold(claims: Iterable[Claim], today: datetime.date, recipients: Recipients):
    """(claim, point, recipient) for each row the open, dated claims should hold today."""
    for claim in claims:
        if claim.is_open and claim.deadline_end is not None:
            for point in points.points_to_schedule(claim.deadline_end, today):
                for recipient in recipients.for_claim(claim):
                    yield claim, point, recipient


def _row(claim: Claim, point: points.Point, recipient) -> Reminder:
    return Reminder(
        claim=claim,
        kind=Reminder.Kind.for_offset(point.offset_days),
        offset_days=point.offset_days,
        deadline_end=claim.deadline_end,
        recipient=recipient,
        due_at=point.due_at,
    )


def _insert(rows: list[Reminder]) -> None:
    # The unique constraint claims_reminder_once_per_point makes this idempotent, and safe
    # when two sweeps (or a sweep and a save) schedule the same claim at once; for
    # schedule_missing it is the safety net when another sweep inserts a row after the read.
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)


def sync_claim(claim: Claim, previous: dict) -> None:
    """claims.services hook: bring the claim's reminder rows in line with the save that just happened."""
    now = timezone.now()
    rows = claim.reminders.all()
    was_open = Status(previous["status"]).is_open if previous else False
    deadline_moved = bool(previous) and previous["deadline_end"] != claim.deadline_end
    reopened = bool(previous) and not was_open and claim.is_open

    if deadline_moved and claim.deadline_end is not None:
        rows.pending().exclude(deadline_end=claim.deadline_end).delete()
    if not claim.is_open or claim.deadline_end is None:
        # Kept, cancelled with the reason, so the claim page shows why no more reminders come.
        reason = CANCEL_CLOSED if not claim.is_open else CANCEL_NO_DEADLINE
        rows.pending().update(cancelled_at=now, last_error=reason)
        return
    if reopened or deadline_moved:
        # Rows cancelled at closing (or when the deadline was removed, then set again) would
        # block their points through the unique constraint; drop them to schedule afresh.
        rows.filter(cancelled_at__isnull=False, sent_at__isnull=True, skipped_at__isnull=True).delete()

    if not previous or deadline_moved or reopened:
        created = schedule([claim], today=timezone.localdate(now))
    elif previous["assignee_id"] != claim.assignee_id:
        created = retarget(claim)
    else:
        return
    if any(row.due_at <= now for row in created):
        # Send it now rather than at the next beat; only once the save is committed, so
        # the worker sees the rows, and never inside the request if Redis is down.
        from claims.reminders.enqueue import enqueue_sweep_on_commit

        enqueue_sweep_on_commit()


def retarget(claim: Claim) -> list[Reminder]:
    """Hand the claim's unsent points to its new recipients; points already sent stay sent."""
    pending = claim.reminders.pending().filter(deadline_end=claim.deadline_end)
    points_left = set(pending.values_list("offset_days", "kind", "due_at"))
    new_recipients = Recipients().for_claim(claim)
    deadline = claim.deadline_end
    pending.exclude(recipient__in=new_recipients).delete()
    rows = [
        Reminder(claim=claim, kind=kind, offset_days=offset, deadline_end=deadline, recipient=recipient, due_at=due_at)
        for offset, kind, due_at in sorted(points_left)
        for recipient in new_recipients
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def _unscheduled():
    """Open claims with a deadline and no pending row for it.

    Pending, not merely live: a claim whose points were all sent or cancelled (its only
    recipient became unreachable and nobody could take over) must be found again; a claim
    in the schedule always holds a pending row for its next point.
    """
    pending_rows = Reminder.objects.pending().filter(claim=OuterRef("pk"), deadline_end=OuterRef("deadline_end"))
    return (
        Claim.objects.open().filter(deadline_end__isnull=False).exclude(Exists(pending_rows)).select_related("assignee")
    )


def schedule_unscheduled_due_on(today: datetime.date, recipients: Recipients) -> int:
    """Schedule claims without a pending row whose point falls on `today`; returns how many claims.

    Looks only at deadlines that put a point on today (a short list of dates, each an
    index lookup on claims_claim_open_deadline_id), so the cost is proportional to what is
    due today, not to the number of claims. Such a claim joins the schedule at its next
    point; `sweep_deadlines --backfill` schedules every one of them at once.
    """
    earliest = Claim.objects.open().aggregate(earliest=Min("deadline_end"))["earliest"]
    deadlines = points.deadlines_with_a_point_on(today, earliest)
    claims = list(_unscheduled().filter(deadline_end__in=deadlines))
    schedule(claims, today=today, recipients=recipients)
    return len(claims)


def backfill(today: datetime.date) -> int:
    """Schedule every open claim with a deadline that holds no rows for it (one pass, in batches)."""
    recipients = Recipients()
    done, last_pk = 0, 0
    while True:
        claims = list(_unscheduled().filter(pk__gt=last_pk).order_by("pk")[:BATCH])
        if not claims:
            return done
        schedule(claims, today=today, recipients=recipients)
        done += len(claims)
        last_pk = claims[-1].pk
