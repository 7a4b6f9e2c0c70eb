"""The changes followers are told of: written with the change itself, or found by the sweep.

A claim's history row marked as a public event (claims.history: its publication, a
change of status while published, a correction) becomes one ReaderEvent, written by a
receiver of simple-history's ``post_create_historical_record`` inside the writer's own
transaction: it commits with the change or not at all, exactly once per row (its
history id is unique), and no write that readers cannot see (a draft, notes, the
assignee) ever makes one. Being taken off the site (UNPUBLISHED) is no news for readers:
a follower's pending changes of such a claim are dropped when they would be sent.

Bulk writes (simple-history's bulk path) send no signals and make no events: an import
does not mail every follower about every claim it loads.

"Overdue" is no write: the sweep records it (``record_overdue``) for published claims
still open after their deadline, once per claim and deadline (a constraint says so), for
deadlines that passed in the last OVERDUE_LOOKBACK_DAYS, so a sweep that did not run for
a few days catches up, and a deadline moved later and passed again is news again.
"""

import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.signals import post_create_historical_record

from claims.models import Claim, FeedEntry, ReaderEvent, Subscription, historical_claim_model

OVERDUE_LOOKBACK_DAYS = 7
# Claims recorded overdue per sweep; the rest wait for the next one.
OVERDUE_BATCH = 2000

_KINDS = {
    FeedEntry.PUBLISHED: ReaderEvent.Kind.PUBLISHED,
    FeedEntry.STATUS: ReaderEvent.Kind.STATUS,
    FeedEntry.CORRECTION: ReaderEvent.Kind.CORRECTION,
}


def record_change(sender, history_instance, using=None, **kwargs):
    """One ReaderEvent for a history row readers are shown (claims.history's marks), in its transaction."""
    kind = _KINDS.get(history_instance.feed_entry)
    if kind is None:
        return
    ReaderEvent.objects.using(using).create(
        claim_id=history_instance.id,
        kind=kind,
        history_id=history_instance.history_id,
        status=history_instance.status,
        previous_status=history_instance.feed_previous_status,
        correction=history_instance.correction if kind == ReaderEvent.Kind.CORRECTION else "",
        happened_at=history_instance.history_date,
    )


post_create_historical_record.connect(
    record_change, sender=historical_claim_model(), dispatch_uid="readers-record-public-change"
)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def record_overdue(now: datetime.datetime) -> int:
    """Record an OVERDUE event for each published open claim whose deadline passed lately; returns how many."""
    if not Subscription.objects.filter(confirmed_at__isnull=False).exists():
        return 0  # nobody to tell: an event would only wait for its pruning
    today = timezone.localdate(now)
    recorded = ReaderEvent.objects.filter(
        kind=ReaderEvent.Kind.OVERDUE, claim=OuterRef("pk"), deadline_end=OuterRef("deadline_end")
    )
    overdue = (
        Claim.objects.published()
        .overdue(today)
        .filter(deadline_end__gte=today - datetime.timedelta(days=OVERDUE_LOOKBACK_DAYS))
        .exclude(Exists(recorded))
        .order_by("deadline_end", "id")
        .values_list("pk", "deadline_end", "status")[:OVERDUE_BATCH]
    )
    events = [
        ReaderEvent(
            claim_id=pk,
            kind=ReaderEvent.Kind.OVERDUE,
            status=status,
            deadline_end=deadline_end,
            # The first moment it was overdue: followers confirmed after it are not told.
            happened_at=_start_of(deadline_end + datetime.timedelta(days=1)),
        )
        for pk, deadline_end, status in overdue
    ]
    # Another sweep may record the same ones at once: the constraint keeps one of each.
    ReaderEvent.objects.bulk_create(events, ignore_conflicts=True)
    return len(events)
