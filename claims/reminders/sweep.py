"""The reminder sweep: claim due rows, then send one digest per recipient.

Run by Celery beat every REMINDER_SWEEP_SECONDS (claims.tasks.sweep_deadlines), by
`manage.py sweep_deadlines`, and on demand after a save makes a reminder due. Any
number of sweeps may run at once; each step is safe against the others:

1. Schedule claims that hold no pending row, on the day one of their points falls due
   (schedule.schedule_unscheduled_due_on).
2. Reconcile the due rows with their claims: rows of closed claims, of a deadline that
   moved, or of someone no longer responsible (an assignee deactivated or without an
   email address, an editor who left the group) are cancelled, skipping rows another
   sweep holds; every open claim seen is scheduled for its current recipients: the
   latest due point and the next ones (that is how the overdue series goes on, and how
   the current recipients take over a point the previous one can no longer receive).
3. Claim: one conditional UPDATE sets claimed_at (the time of the claim) and a fresh
   token on rows that are due and held by nobody (never claimed, or claimed longer than
   REMINDER_CLAIM_TIMEOUT_SECONDS ago). PostgreSQL re-checks that condition on each row
   after waiting for a competing UPDATE, so two sweeps never win the same row; the sweep
   then reads back the rows that carry its token. Rows are chosen by state (due and not
   sent), not by a time window, so the first sweep after any outage catches up.
4. Deliver: of the due rows of one claim for one recipient, only the latest point is
   sent; older ones are marked skipped. Each recipient gets one digest. Before each, the
   sweep renews its claim with a conditional UPDATE on its token; if a later sweep has
   taken any of the rows over (this one ran past the timeout), the digest is not sent:
   the other sweep sends it. After half the timeout no new digest is started; the rest
   is released for the next sweep, queued at once. Success marks the rows sent, failure
   releases them with the error, the attempt count and a backoff.
5. Reviews of the two-person rule that have waited longer than REVIEW_REMIND_HOURS are
   claimed the same way and listed in the chief editors' digests (reviews.py).

Delivery is AT LEAST ONCE. The row is claimed (committed) before the email is handed to
the SMTP server and marked sent only after the server accepted it. If the process dies
between the claim and the hand-over (worker killed, machine lost), the claim expires and
a later sweep sends the reminder: nothing is lost. If it dies in the short window after
the server accepted the message but before the UPDATE that marks the row sent, the
later sweep sends it again: the editor may, rarely, get that digest twice. The same
happens if one send outlasts the whole claim timeout (a server that accepts the message
only after many minutes): a later sweep takes the rows over and sends them too, and this
sweep logs a warning when it finds its "sent" UPDATE matched fewer rows. We chose this
over at-most-once (marking sent before sending, which would silently lose the reminder
on such a crash) because a missed deadline costs the newsroom more than a duplicate
email, and the duplicate window is one database round trip wide.
"""

import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db.models import Case, F, Max, TextField, Value, When
from django.utils import timezone

from claims.models import Claim, Reminder
from claims.reminders.digest import build_items, send_digest
from claims.reminders.reviews import WaitingReviews, none_waiting
from claims.reminders.schedule import (
    CANCEL_CLOSED,
    CANCEL_MOVED,
    CANCEL_NOT_RESPONSIBLE,
    CANCEL_UNREACHABLE,
    Recipients,
    schedule,
    schedule_missing,
    schedule_unscheduled_due_on,
)

logger = logging.getLogger(__name__)

# Rows claimed by one sweep. A backlog larger than this is sent by the following sweeps
# (the task queues the next one at once), so one sweep stays well inside the claim timeout.
SWEEP_BATCH = 2000
# After a failed send: wait 5 minutes, then twice as long after each further failure, at most 6 hours.
RETRY_FIRST = datetime.timedelta(minutes=5)
RETRY_LONGEST = datetime.timedelta(hours=6)

EXPIRED_CLAIM = "An earlier sweep claimed it and did not finish (worker lost?); claimed again."


@dataclass
class SweepResult:
    scheduled_claims: int = 0
    claimed: int = 0
    sent: int = 0
    digests: int = 0
    skipped: int = 0
    cancelled: int = 0
    failed: int = 0
    # Rows this sweep claimed but did not send: lost to a later sweep, or left for the next one when out of time.
    lost: int = 0
    released: int = 0
    more_due: bool = False

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self):
        return (
            f"{self.digests} digest(s) sent with {self.sent} reminder(s); {self.skipped} skipped, "
            f"{self.cancelled} cancelled, {self.failed} failed (will retry); "
            f"{self.scheduled_claims} claim(s) newly scheduled"
            + (f"; {self.lost} taken over by another sweep" if self.lost else "")
            + (f"; {self.released} left for the next sweep (out of time)" if self.released else "")
            + ("; more due" if self.more_due else "")
        )


def sweep(now: datetime.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    today = timezone.localdate(now)
    # Wall-clock time, like claimed_at: the other sweeps judge this one's claims by it.
    stop_at = timezone.now() + time_budget()
    recipients = Recipients()
    result = SweepResult()
    result.scheduled_claims = schedule_unscheduled_due_on(today, recipients)
    result.cancelled += reconcile_due(now, recipients)
    if timezone.now() >= stop_at:
        result.more_due = True
        return result
    # Reviews waiting too long go into the chief editors' digests of this sweep (reviews.py).
    waiting = WaitingReviews(now)
    token, claimed, result.more_due = claim_due(now)
    result.claimed = len(claimed)
    if claimed:
        deliver(claimed, token, now, result, recipients=recipients, stop_at=stop_at, waiting=waiting)
    deliver_reviews(waiting, now, result)
    return result


def deliver_reviews(waiting: WaitingReviews, now: datetime.datetime, result: SweepResult) -> None:
    """A digest of waiting reviews alone to each chief editor no claim digest of this sweep told."""
    today = timezone.localdate(now)
    for chief in waiting.untold():
        try:
            send_digest(chief, [], today, reviews=waiting.lines_for(chief))
        except Exception as exc:  # as a claim digest: logged; the reviews are released if nobody was told
            logger.warning("Digest of waiting reviews to %s failed: %s", chief.email, exc)
            waiting.sent(chief, ok=False)
            continue
        waiting.sent(chief, ok=True)
        result.digests += 1
    waiting.finish()


def claim_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.REMINDER_CLAIM_TIMEOUT_SECONDS)


def time_budget() -> datetime.timedelta:
    """How long one sweep may go on starting digests: half the claim timeout.

    Each digest re-asserts its claim before it is sent, so a slow sweep does not lose rows
    it is sending; the budget keeps a sweep (SMTP timeouts one after another) well inside
    the timeout and the task's time limit, and leaves the rest to the next sweep.
    """
    return claim_timeout() / 2


def _claimable(now: datetime.datetime):
    return Reminder.objects.claimable(now, now - claim_timeout())


def reconcile_due(now: datetime.datetime, recipients: Recipients) -> int:
    """Cancel due rows that no longer apply and extend the schedule of the rest; returns cancellations.

    A claim whose row went to someone no longer responsible (an assignee deactivated or
    without an email address, an editor who left the group) is scheduled again for its
    current recipients: they get the latest due point in this same sweep, and the rest
    after it. Points already sent to the previous recipient are not sent again.
    """
    rows = list(
        _claimable(now).order_by("due_at", "id").values("pk", "claim_id", "recipient_id", "deadline_end")[:SWEEP_BATCH]
    )
    if not rows:
        return 0
    claims = Claim.objects.select_related("assignee").in_bulk({row["claim_id"] for row in rows})
    cancel = defaultdict(list)
    current = {}
    for row in rows:
        claim = claims.get(row["claim_id"])
        if claim is None:
            continue  # deleted since: its rows went with it
        if not claim.is_open:
            cancel[CANCEL_CLOSED].append(row["pk"])
            continue
        if claim.deadline_end != row["deadline_end"]:
            cancel[CANCEL_MOVED].append(row["pk"])
        elif row["recipient_id"] not in {user.pk for user in recipients.for_claim(claim)}:
            cancel[CANCEL_NOT_RESPONSIBLE].append(row["pk"])
        # Every open claim seen here is scheduled for its current deadline and recipients
        # (the next points, or a takeover); the rows it already holds are left alone.
        current[claim.pk] = claim
    cancelled = sum(_cancel(_claimable(now).filter(pk__in=pks), reason, now) for reason, pks in cancel.items())
    # Most of these claims already hold every row they should: insert only what they lack.
    schedule_missing(current.values(), today=timezone.localdate(now), recipients=recipients)
    return cancelled


def _cancel(rows, reason: str, now: datetime.datetime) -> int:
    """Cancel the pending rows among `rows`; the caller narrows them to rows no other sweep holds."""
    return rows.pending().update(cancelled_at=now, last_error=reason)


def claim_due(now: datetime.datetime) -> tuple[str, list[Reminder], bool]:
    """Claim up to SWEEP_BATCH due rows with one conditional UPDATE; return (token, the rows won, more due?)."""
    candidates = list(_claimable(now).order_by("due_at", "id").values_list("pk", flat=True)[:SWEEP_BATCH])
    if not candidates:
        return "", [], False
    token = uuid.uuid4().hex
    _claimable(now).filter(pk__in=candidates).update(
        # The time of the claim, not of the sweep's start: other sweeps count the timeout from it.
        claimed_at=timezone.now(),
        claim_token=token,
        attempts=F("attempts") + 1,
        retry_after=None,
        # A failed send releases its claim, so a row still marked claimed was held by a sweep that died.
        last_error=Case(
            When(claimed_at__isnull=False, then=Value(EXPIRED_CLAIM)),
            default=F("last_error"),
            output_field=TextField(),
        ),
    )
    won = list(
        Reminder.objects.filter(pk__in=candidates, claim_token=token)
        .pending()
        .select_related("claim__claimant", "recipient")
        .order_by("recipient_id", "claim_id", "offset_days")
    )
    return token, won, len(candidates) == SWEEP_BATCH


def _latest_due_offsets(rows: list[Reminder], now: datetime.datetime) -> dict[tuple, int]:
    """For each (claim, recipient, deadline) among rows: the latest point already due, whoever holds it."""
    latest = (
        Reminder.objects.live()
        .filter(claim_id__in={row.claim_id for row in rows}, due_at__lte=now)
        .values("claim_id", "recipient_id", "deadline_end")
        .annotate(latest=Max("offset_days"))
    )
    return {(entry["claim_id"], entry["recipient_id"], entry["deadline_end"]): entry["latest"] for entry in latest}


def deliver(
    rows: list[Reminder],
    token: str,
    now: datetime.datetime,
    result: SweepResult,
    *,
    recipients: Recipients | None = None,
    stop_at: datetime.datetime | None = None,
    waiting: WaitingReviews | None = None,
) -> None:
    waiting = waiting or none_waiting(now)
    held = Reminder.objects.filter(claim_token=token)
    latest = _latest_due_offsets(rows, now)
    cancel = defaultdict(list)
    skipped = []
    digests = defaultdict(list)
    unreachable = {}
    for row in rows:
        claim = row.claim
        # The claim may have changed since reconcile_due looked at it; its save hook
        # cancelled unsent rows, and rows this sweep holds are checked again here.
        if not claim.is_open:
            cancel[CANCEL_CLOSED].append(row.pk)
        elif claim.deadline_end != row.deadline_end:
            cancel[CANCEL_MOVED].append(row.pk)
        elif not Recipients.can_receive(row.recipient):
            cancel[CANCEL_UNREACHABLE].append(row.pk)
            unreachable[claim.pk] = claim
        elif row.offset_days < latest.get((row.claim_id, row.recipient_id, row.deadline_end), row.offset_days):
            skipped.append(row.pk)
        else:
            digests[row.recipient].append(row)

    for reason, pks in cancel.items():
        result.cancelled += _cancel(held.filter(pk__in=pks), reason, now)
    if unreachable:
        # The recipient became unreachable after reconcile_due looked: hand the point to
        # whoever is reminded now, and have the next sweep (queued at once) send it.
        schedule(unreachable.values(), today=timezone.localdate(now), recipients=recipients)
        result.more_due = True
    if skipped:
        result.skipped += held.filter(pk__in=skipped).update(skipped_at=now)

    today = timezone.localdate(now)
    for recipient, recipient_rows in digests.items():
        pks = [row.pk for row in recipient_rows]
        if stop_at is not None and timezone.now() >= stop_at:
            # Out of time: the rest goes to the next sweep (queued at once) rather than to
            # a sweep that finds these claims expired while this one is still sending.
            result.released += _release(held.filter(pk__in=pks))
            result.more_due = True
            continue
        if not _reassert(held, pks, recipient, result):
            continue
        items = build_items([row.claim for row in recipient_rows], today)
        try:
            send_digest(recipient, items, today, reviews=waiting.lines_for(recipient))
        except Exception as exc:  # SMTP, DNS, TLS, timeouts: all recorded on the rows and retried
            _record_failure(recipient, recipient_rows, token, now, exc)
            result.failed += len(pks)
            waiting.sent(recipient, ok=False)
            continue
        waiting.sent(recipient, ok=True)
        marked = held.filter(pk__in=pks).update(sent_at=timezone.now())
        if marked < len(pks):
            # The send took longer than the claim timeout and another sweep took rows over:
            # it will send them again (at least once, never silently dropped), so say so.
            logger.warning(
                "Reminder digest to %s was sent, but only %d of its %d reminder(s) were still held by this sweep; "
                "the sweep that took them over will send them again (REMINDER_CLAIM_TIMEOUT_SECONDS too short?).",
                recipient.email, marked, len(pks),
            )  # fmt: skip
        result.digests += 1
        result.sent += len(pks)


def _reassert(held, pks: list[int], recipient, result: SweepResult) -> bool:
    """Renew the claim on a digest's rows just before sending it; False if another sweep took any of them.

    A conditional UPDATE on the token, like the claim itself: if a later sweep found these
    rows expired and claimed them, it holds them now and will send them, so this digest is
    not sent (the rows still held are released for the next sweep). Renewing claimed_at
    gives the send a full timeout, however long the sweep has been running.
    """
    # Not narrowed to pending rows: a row the claim's save cancelled meanwhile is still ours.
    renewed = held.filter(pk__in=pks).update(claimed_at=timezone.now())
    if renewed == len(pks):
        return True
    _release(held.filter(pk__in=pks))
    logger.warning(
        "Reminder digest to %s not sent: %d of its %d reminder(s) were taken over by another sweep, which sends them.",
        recipient.email, len(pks) - renewed, len(pks),
    )  # fmt: skip
    result.lost += len(pks)
    return False


def _release(rows) -> int:
    """Give back claimed rows that were never attempted: not an attempt, so the count goes back down."""
    return rows.pending().update(claimed_at=None, claim_token="", attempts=F("attempts") - 1)


def retry_delay(attempts: int) -> datetime.timedelta:
    return min(RETRY_LONGEST, RETRY_FIRST * 2 ** max(attempts - 1, 0))


def _record_failure(recipient, rows: list[Reminder], token: str, now: datetime.datetime, exc: Exception) -> None:
    attempts = max(row.attempts for row in rows)
    error = f"{type(exc).__name__}: {exc}"[:2000]
    retry_after = now + retry_delay(attempts)
    logger.warning(
        "Reminder digest to %s failed (attempt %d, %d reminder(s)); retrying after %s: %s",
        recipient.email, attempts, len(rows), retry_after.isoformat(), error,
    )  # fmt: skip
    # Releasing the claim with a retry time: the next sweep after it takes the rows again.
    Reminder.objects.filter(pk__in=[row.pk for row in rows], claim_token=token).update(
        claimed_at=None, claim_token="", retry_after=retry_after, last_error=error
    )
