"""The followers' sweep: record what changed, fan it out to followers, send each reader one digest.

Run by Celery beat every FOLLOW_DIGEST_SECONDS (claims.tasks.sweep_followers), and queued
at once after a reader asks for a confirmation (claims.readers.enqueue). It follows the
discipline of the editors' reminders (claims/reminders/sweep.py), step by step:

1. Record "overdue" events for published claims left open past their deadline
   (claims.readers.events.record_overdue). The other events (published, status,
   correction) were written in the writer's own transaction, with the change.
2. Fan out: the events not yet fanned out are locked (FOR UPDATE SKIP LOCKED, so sweeps
   running at once take different ones) and, in that same transaction, each becomes one
   outbox row per reader who follows its claim, its claimant or everything, confirmed
   before it happened, and the events are marked fanned out. Both commit or neither does,
   and the constraint "one row per reader and event" holds whatever happens.
   A PUBLISHED event also queues the notice to a confirmed tipster whose tip the claim
   came from (once per tip, a constraint).
3. Claim: one conditional UPDATE sets claimed_at and a fresh token on due rows that
   nobody holds (never claimed, or claimed longer than FOLLOW_CLAIM_TIMEOUT_SECONDS ago,
   and past any retry time); the sweep reads back the rows carrying its token.
4. Deliver: each row is checked against the register as it is now and cancelled if it no
   longer applies (the claim is no longer published, the reader stopped following it, the
   subscription was confirmed already). Then one email per confirmation or tip notice, and
   one digest per reader with all their changes. Before each email the sweep renews its
   claim with a conditional UPDATE on its token, and does not send if another sweep took
   a row over; after half the timeout it starts no new email. Success marks the rows
   sent; failure releases them with the error, the attempt count and a backoff.

Delivery is AT LEAST ONCE, for the reasons and with the window the reminders have: rows
are claimed (committed) before the email is handed to the SMTP server and marked sent
only after the server accepted it. A worker killed before the hand-over loses nothing (a
later sweep takes the expired claim); an SMTP server that refuses or cannot be reached
leaves the rows for a retry. Only a crash in the one round trip between the server's
acceptance and the UPDATE that marks the rows sent can send a digest twice; we prefer
that to a follower never hearing of an outcome.

What is sent is what readers can see: events come only from the history's public marks
(never a draft, notes or the assignee), and the digest shows each claim in its words of
now (as the feed does), only while it is published.
"""

import datetime
import logging
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Q, TextField, Value, When
from django.utils import timezone

from claims.models import Claim, ReaderEvent, ReaderMessage, ReaderTip, Subscription
from claims.readers import emails
from claims.readers.events import record_overdue
from claims.readers.subscriptions import CONFIRMED_ALREADY, NOT_FOLLOWING

logger = logging.getLogger(__name__)

SWEEP_BATCH = 2000
EVENT_BATCH = 500
RETRY_FIRST = datetime.timedelta(minutes=5)
RETRY_LONGEST = datetime.timedelta(hours=6)
# Sent and cancelled rows, and events fanned out, are kept this long (the desk can see
# what a reader was sent), then deleted by the sweep, PRUNE_BATCH at a time.
KEEP_FOR = datetime.timedelta(days=90)
PRUNE_BATCH = 5000

EXPIRED_CLAIM = "An earlier sweep claimed it and did not finish (worker lost?); claimed again."
NOT_PUBLISHED = "The claim is no longer published."
NOT_ASKED = "The reader no longer asked for this (unsubscribed or erased)."


@dataclass
class SweepResult:
    overdue: int = 0
    events: int = 0
    queued: int = 0
    claimed: int = 0
    emails: int = 0
    sent: int = 0
    cancelled: int = 0
    failed: int = 0
    lost: int = 0
    released: int = 0
    more_due: bool = False

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self):
        return (
            f"{self.emails} email(s) sent with {self.sent} message(s); {self.events} event(s) fanned out "
            f"into {self.queued} message(s) ({self.overdue} overdue found); {self.cancelled} cancelled, "
            f"{self.failed} failed (will retry)"
            + (f"; {self.lost} taken over by another sweep" if self.lost else "")
            + (f"; {self.released} left for the next sweep (out of time)" if self.released else "")
            + ("; more due" if self.more_due else "")
        )


def claim_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.FOLLOW_CLAIM_TIMEOUT_SECONDS)


def time_budget() -> datetime.timedelta:
    """How long one sweep may go on starting emails: half the claim timeout (as the reminders' sweep)."""
    return claim_timeout() / 2


def retry_delay(attempts: int) -> datetime.timedelta:
    return min(RETRY_LONGEST, RETRY_FIRST * 2 ** max(attempts - 1, 0))


def sweep(now: datetime.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    stop_at = timezone.now() + time_budget()
    result = SweepResult()
    result.overdue = record_overdue(now)
    result.events, result.queued, more_events = fan_out(now)
    token, claimed, more_rows = claim_due(now)
    result.claimed = len(claimed)
    if claimed:
        deliver(claimed, token, now, result, stop_at=stop_at)
    result.more_due = result.more_due or more_events or more_rows
    prune(now)
    return result


# --- 2. fan out ------------------------------------------------------------------------------


@dataclass
class Followers:
    """Confirmed followers of some claims and claimants, and of everything: (reader id, confirmed at)."""

    by_claim: dict = field(default_factory=lambda: defaultdict(list))
    by_claimant: dict = field(default_factory=lambda: defaultdict(list))
    everything: list = field(default_factory=list)

    @classmethod
    def of(cls, claims: dict[int, int]) -> "Followers":
        """``claims``: claim id -> claimant id."""
        followers = cls()
        rows = Subscription.objects.filter(confirmed_at__isnull=False).filter(
            Q(claim_id__in=list(claims))
            | Q(claimant_id__in=set(claims.values()))
            | Q(target=Subscription.Target.EVERYTHING)
        )
        for reader_id, claim_id, claimant_id, confirmed_at in rows.values_list(
            "reader_id", "claim_id", "claimant_id", "confirmed_at"
        ):
            if claim_id is not None:
                followers.by_claim[claim_id].append((reader_id, confirmed_at))
            elif claimant_id is not None:
                followers.by_claimant[claimant_id].append((reader_id, confirmed_at))
            else:
                followers.everything.append((reader_id, confirmed_at))
        return followers

    def readers(self, claim_id: int, claimant_id: int, happened_at: datetime.datetime) -> set[int]:
        """Who is told of an event of this claim: those whose subscription was confirmed before it."""
        found = [*self.by_claim.get(claim_id, ()), *self.by_claimant.get(claimant_id, ()), *self.everything]
        return {reader_id for reader_id, confirmed_at in found if confirmed_at < happened_at}


def fan_out(now: datetime.datetime) -> tuple[int, int, bool]:
    """Turn up to EVENT_BATCH events into outbox rows; returns (events, rows queued, more events waiting?)."""
    with transaction.atomic():
        events = list(
            ReaderEvent.objects.select_for_update(skip_locked=True)
            .filter(fanned_out_at__isnull=True)
            .order_by("id")[:EVENT_BATCH]
        )
        if not events:
            return 0, 0, False
        # Claims not published now tell nobody: they were taken down since.
        claims = dict(
            Claim.objects.published()
            .filter(pk__in={event.claim_id for event in events})
            .values_list("pk", "claimant_id")
        )
        followers = Followers.of(claims)
        rows = [
            ReaderMessage(reader_id=reader_id, kind=ReaderMessage.Kind.CHANGE, event=event, due_at=now)
            for event in events
            if event.claim_id in claims
            for reader_id in followers.readers(event.claim_id, claims[event.claim_id], event.happened_at)
        ]
        rows += _tip_notices(events, claims, now)
        ReaderMessage.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        ReaderEvent.objects.filter(pk__in=[event.pk for event in events]).update(fanned_out_at=now)
    return len(events), len(rows), len(events) == EVENT_BATCH


def _tip_notices(events: list[ReaderEvent], claims: dict[int, int], now) -> list[ReaderMessage]:
    published = {e.claim_id for e in events if e.kind == ReaderEvent.Kind.PUBLISHED and e.claim_id in claims}
    if not published:
        return []
    tips = (
        ReaderTip.objects.filter(claims__in=published, reader__isnull=False, email_confirmed_at__isnull=False)
        .values_list("pk", "reader_id")
        .distinct()
    )
    return [
        ReaderMessage(reader_id=reader_id, kind=ReaderMessage.Kind.TIP_PUBLISHED, tip_id=tip_id, due_at=now)
        for tip_id, reader_id in tips
    ]


# --- 3. claim ---------------------------------------------------------------------------------


def _claimable(now: datetime.datetime):
    return ReaderMessage.objects.claimable(now, now - claim_timeout())


def claim_due(now: datetime.datetime) -> tuple[str, list[ReaderMessage], bool]:
    """Claim up to SWEEP_BATCH due rows with one conditional UPDATE; return (token, the rows won, more due?)."""
    candidates = list(_claimable(now).order_by("due_at", "id").values_list("pk", flat=True)[:SWEEP_BATCH])
    if not candidates:
        return "", [], False
    token = uuid.uuid4().hex
    _claimable(now).filter(pk__in=candidates).update(
        claimed_at=timezone.now(),
        claim_token=token,
        attempts=F("attempts") + 1,
        retry_after=None,
        last_error=Case(
            When(claimed_at__isnull=False, then=Value(EXPIRED_CLAIM)),
            default=F("last_error"),
            output_field=TextField(),
        ),
    )
    won = list(
        ReaderMessage.objects.filter(pk__in=candidates, claim_token=token)
        .pending()
        .select_related("reader", "subscription__claim__claimant", "subscription__claimant", "tip", "event")
        .order_by("reader_id", "id")
    )
    return token, won, len(candidates) == SWEEP_BATCH


# --- 4. deliver -------------------------------------------------------------------------------


@dataclass
class Email:
    """What one email is made of: its rows (all of one reader) and what it shows."""

    reader: object
    kind: str
    rows: list[ReaderMessage]
    claims: list[Claim] = field(default_factory=list)


def deliver(
    rows: list[ReaderMessage],
    token: str,
    now: datetime.datetime,
    result: SweepResult,
    *,
    stop_at: datetime.datetime | None = None,
) -> None:
    held = ReaderMessage.objects.filter(claim_token=token)
    outbox, cancel = _still_due(rows)
    for reason, pks in cancel.items():
        result.cancelled += held.filter(pk__in=pks).pending().update(cancelled_at=now, last_error=reason)
    for email in outbox:
        pks = [row.pk for row in email.rows]
        if stop_at is not None and timezone.now() >= stop_at:
            result.released += _release(held.filter(pk__in=pks))
            result.more_due = True
            continue
        if not _reassert(held, pks, email, result):
            continue
        try:
            connection = get_connection(fail_silently=False)
            emails.build(email, now=now, connection=connection).send()
        except Exception as exc:  # SMTP, DNS, TLS, timeouts: recorded on the rows and retried
            _record_failure(email, token, now, exc)
            result.failed += len(pks)
            continue
        marked = held.filter(pk__in=pks).update(sent_at=timezone.now())
        if marked < len(pks):
            logger.warning(
                "Email to reader #%s was sent, but only %d of its %d message(s) were still held by this sweep; "
                "the sweep that took them over sends them again (FOLLOW_CLAIM_TIMEOUT_SECONDS too short?).",
                email.reader.pk, marked, len(pks),
            )  # fmt: skip
        result.emails += 1
        result.sent += len(pks)


def _still_due(rows: list[ReaderMessage]) -> tuple[list[Email], dict[str, list[int]]]:
    """The emails to send from the claimed rows, and the rows to cancel (by reason), as the register is now."""
    changes = [row for row in rows if row.kind == ReaderMessage.Kind.CHANGE]
    claims = Claim.objects.published().select_related("claimant").in_bulk({row.event.claim_id for row in changes})
    following = _following({row.reader_id for row in changes})
    tip_claims = _published_claims_of_tips({row.tip_id for row in rows if row.kind == ReaderMessage.Kind.TIP_PUBLISHED})
    outbox, digests, cancel = [], {}, defaultdict(list)
    for row in rows:
        reason = None
        if row.kind == ReaderMessage.Kind.CONFIRM_FOLLOW:
            subscription = row.subscription
            if subscription.confirmed_at is not None:
                reason = CONFIRMED_ALREADY
            elif subscription.claim_id is not None and subscription.claim.published_at is None:
                reason = NOT_PUBLISHED
            else:
                outbox.append(Email(row.reader, row.kind, [row]))
        elif row.kind == ReaderMessage.Kind.CONFIRM_TIP:
            if row.tip.reader_id != row.reader_id:
                reason = NOT_ASKED
            elif row.tip.email_confirmed_at is not None:
                reason = CONFIRMED_ALREADY
            else:
                outbox.append(Email(row.reader, row.kind, [row]))
        elif row.kind == ReaderMessage.Kind.TIP_PUBLISHED:
            if row.tip.reader_id != row.reader_id or row.tip.email_confirmed_at is None:
                reason = NOT_ASKED
            elif not tip_claims.get(row.tip_id):
                reason = NOT_PUBLISHED
            else:
                outbox.append(Email(row.reader, row.kind, [row], claims=tip_claims[row.tip_id]))
        else:
            claim = claims.get(row.event.claim_id)
            if claim is None:
                reason = NOT_PUBLISHED
            elif not following.get(row.reader_id, _Follows()).covers(claim):
                reason = NOT_FOLLOWING
            else:
                digest = digests.get(row.reader_id)
                if digest is None:
                    digest = digests[row.reader_id] = Email(row.reader, row.kind, [])
                    outbox.append(digest)
                digest.rows.append(row)
                if claim not in digest.claims:
                    digest.claims.append(claim)
        if reason:
            cancel[reason].append(row.pk)
    return outbox, cancel


@dataclass
class _Follows:
    everything: bool = False
    claims: set = field(default_factory=set)
    claimants: set = field(default_factory=set)

    def covers(self, claim: Claim) -> bool:
        return self.everything or claim.pk in self.claims or claim.claimant_id in self.claimants


def _following(reader_ids: set[int]) -> dict[int, _Follows]:
    follows = defaultdict(_Follows)
    confirmed = Subscription.objects.filter(reader_id__in=reader_ids, confirmed_at__isnull=False)
    for reader_id, target, claim_id, claimant_id in confirmed.values_list(
        "reader_id", "target", "claim_id", "claimant_id"
    ):
        if target == Subscription.Target.EVERYTHING:
            follows[reader_id].everything = True
        elif claim_id is not None:
            follows[reader_id].claims.add(claim_id)
        else:
            follows[reader_id].claimants.add(claimant_id)
    return follows


def _published_claims_of_tips(tip_ids: set[int]) -> dict[int, list[Claim]]:
    if not tip_ids:
        return {}
    links = (
        ReaderTip.claims.through.objects.filter(readertip_id__in=tip_ids, claim__published_at__isnull=False)
        .select_related("claim__claimant")
        .order_by("claim_id")
    )
    found = defaultdict(list)
    for link in links:
        found[link.readertip_id].append(link.claim)
    return found


def _reassert(held, pks: list[int], email: Email, result: SweepResult) -> bool:
    """Renew the claim on an email's rows just before sending it; False if another sweep took any of them."""
    renewed = held.filter(pk__in=pks).update(claimed_at=timezone.now())
    if renewed == len(pks):
        return True
    _release(held.filter(pk__in=pks))
    logger.warning(
        "Email to reader #%s not sent: %d of its %d message(s) were taken over by another sweep, which sends them.",
        email.reader.pk, len(pks) - renewed, len(pks),
    )  # fmt: skip
    result.lost += len(pks)
    return False


def _release(rows) -> int:
    """Give back claimed rows that were never attempted: not an attempt, so the count goes back down."""
    return rows.pending().update(claimed_at=None, claim_token="", attempts=F("attempts") - 1)


def _record_failure(email: Email, token: str, now: datetime.datetime, exc: Exception) -> None:
    attempts = max(row.attempts for row in email.rows)
    error = f"{type(exc).__name__}: {exc}"[:2000]
    retry_after = now + retry_delay(attempts)
    logger.warning(
        "Email to reader #%s failed (attempt %d, %d message(s)); retrying after %s: %s",
        email.reader.pk, attempts, len(email.rows), retry_after.isoformat(), error,
    )  # fmt: skip
    ReaderMessage.objects.filter(pk__in=[row.pk for row in email.rows], claim_token=token).update(
        claimed_at=None, claim_token="", retry_after=retry_after, last_error=error
    )


# --- keeping the tables small -------------------------------------------------------------------


def prune(now: datetime.datetime) -> int:
    """Delete rows finished more than KEEP_FOR ago, and events whose rows are all gone; returns rows deleted."""
    cutoff = now - KEEP_FOR
    old = ReaderMessage.objects.filter(Q(sent_at__lt=cutoff) | Q(cancelled_at__lt=cutoff))
    deleted, _ = ReaderMessage.objects.filter(pk__in=list(old.values_list("pk", flat=True)[:PRUNE_BATCH])).delete()
    spent = ReaderEvent.objects.filter(fanned_out_at__lt=cutoff).exclude(
        Exists(ReaderMessage.objects.filter(event=OuterRef("pk")))
    )
    ReaderEvent.objects.filter(pk__in=list(spent.values_list("pk", flat=True)[:PRUNE_BATCH])).delete()
    return deleted
