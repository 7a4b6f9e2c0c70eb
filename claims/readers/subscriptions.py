"""Following a claim, a claimant or everything by email: double opt-in, one-click out, erasure.

- ``follow`` records a request and queues its confirmation email; nothing else is ever
  sent to the address until the reader opens the link and confirms (``confirm``). The
  answer is the same whether the address is new, pending or already following, so the
  form tells nobody who follows what. The confirmation is not sent again for the same
  request within CONFIRMATION_RESEND_AFTER, nor more than CONFIRMATIONS_PER_DAY times a
  day to one address, whatever the form is asked: the site cannot be used to flood a
  stranger's mailbox (the form's per-address rate limit bounds the rest).
- ``stop`` ends one subscription; ``stop_all`` (the one-click unsubscribe of RFC 8058)
  ends every subscription of the address and every notice of its tips, and cancels what
  was waiting to be sent.
- ``erase`` forgets the address: the reader row, its subscriptions and messages, and the
  link from its tips (whose text stays in the desk's inbox). The log line says who erased
  which reader number, never the address.

One reader per normalised address (claims.models.normalise_email); one subscription per
reader and target (named constraints). Concurrent requests for the same address or target
meet in those constraints: get_or_create takes the row the other one made.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from claims.models import Claim, Claimant, Reader, ReaderMessage, ReaderTip, Subscription, normalise_email
from claims.readers.enqueue import enqueue_sweep_on_commit

logger = logging.getLogger(__name__)

CONFIRMATION_RESEND_AFTER = datetime.timedelta(hours=1)
CONFIRMATIONS_PER_DAY = 5

CONFIRMATION_KINDS = (ReaderMessage.Kind.CONFIRM_FOLLOW, ReaderMessage.Kind.CONFIRM_TIP)
CONFIRMED_ALREADY = "Confirmed already."
NOT_FOLLOWING = "The reader no longer follows this."


def reader_for(email: str) -> Reader:
    reader, _ = Reader.objects.get_or_create(email=normalise_email(email))
    return reader


def may_send_confirmation(reader: Reader, now: datetime.datetime, **about) -> bool:
    """Whether another confirmation may go to this address now (see the module docstring).

    ``about``: the subscription or tip the confirmation is for; one asked for within
    CONFIRMATION_RESEND_AFTER is not sent again.
    """
    sent = ReaderMessage.objects.filter(reader=reader, kind__in=CONFIRMATION_KINDS)
    if sent.filter(created_at__gte=now - datetime.timedelta(days=1)).count() >= CONFIRMATIONS_PER_DAY:
        return False
    return not sent.filter(created_at__gte=now - CONFIRMATION_RESEND_AFTER, **about).exists()


def target_of(*, claim: Claim | None = None, claimant: Claimant | None = None) -> dict:
    if claim is not None:
        return {"target": Subscription.Target.CLAIM, "claim": claim}
    if claimant is not None:
        return {"target": Subscription.Target.CLAIMANT, "claimant": claimant}
    return {"target": Subscription.Target.EVERYTHING}


@transaction.atomic
def follow(email: str, *, claim: Claim | None = None, claimant: Claimant | None = None) -> Subscription:
    """Ask to follow ``claim``, ``claimant`` or (neither) everything; queue the confirmation if one is due."""
    now = timezone.now()
    reader = reader_for(email)
    subscription, _ = Subscription.objects.get_or_create(reader=reader, **target_of(claim=claim, claimant=claimant))
    if subscription.confirmed_at is None and may_send_confirmation(reader, now, subscription=subscription):
        ReaderMessage.objects.create(
            reader=reader, kind=ReaderMessage.Kind.CONFIRM_FOLLOW, subscription=subscription, due_at=now
        )
        enqueue_sweep_on_commit()
    return subscription


@transaction.atomic
def confirm(subscription_id: int) -> Subscription | None:
    """Confirm a subscription (the reader opened its link); harmless when done before. None if it is gone."""
    Subscription.objects.filter(pk=subscription_id, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
    # A confirmation still waiting to go out (asked for twice) has nothing left to ask.
    cancel_pending(ReaderMessage.objects.filter(subscription_id=subscription_id), CONFIRMED_ALREADY)
    return Subscription.objects.select_related("reader", "claim", "claimant").filter(pk=subscription_id).first()


def cancel_pending(messages, reason: str) -> int:
    # Rows a sweep holds right now are cancelled too: it checks them again before sending.
    return messages.pending().update(cancelled_at=timezone.now(), last_error=reason)


@transaction.atomic
def stop(reader: Reader, subscription_id: int) -> bool:
    """End one of the reader's subscriptions; False if it was not theirs or is gone already."""
    deleted, _ = Subscription.objects.filter(reader=reader, pk=subscription_id).delete()
    if deleted:
        _cancel_unfollowed(reader)
    return bool(deleted)


def _cancel_unfollowed(reader: Reader) -> None:
    """Cancel the reader's waiting changes that none of their subscriptions covers any more."""
    subscriptions = list(Subscription.objects.filter(reader=reader, confirmed_at__isnull=False))
    if any(s.target == Subscription.Target.EVERYTHING for s in subscriptions):
        return
    covered = Q(pk__in=[])
    claims = [s.claim_id for s in subscriptions if s.claim_id]
    claimants = [s.claimant_id for s in subscriptions if s.claimant_id]
    if claims:
        covered |= Q(event__claim_id__in=claims)
    if claimants:
        covered |= Q(event__claim__claimant_id__in=claimants)
    changes = ReaderMessage.objects.filter(reader=reader, kind=ReaderMessage.Kind.CHANGE).exclude(covered)
    cancel_pending(changes, NOT_FOLLOWING)


@transaction.atomic
def stop_all(reader: Reader) -> int:
    """Unsubscribe the address from everything (RFC 8058 one-click); returns the subscriptions ended."""
    deleted, _ = Subscription.objects.filter(reader=reader).delete()
    ReaderTip.objects.filter(reader=reader).update(email_confirmed_at=None)
    cancel_pending(ReaderMessage.objects.filter(reader=reader), "The reader unsubscribed from everything.")
    logger.info("Reader #%s unsubscribed from everything (%d subscription(s) ended).", reader.pk, deleted)
    return deleted


@transaction.atomic
def erase(reader: Reader, *, by=None, reason: str = "on request") -> dict:
    """Forget a reader's address: the reader, its subscriptions and messages, and its tips' link to it.

    Returns what was removed, as counts. Logged with the reader's number and who asked,
    never the address.
    """
    pk = reader.pk
    counts = {
        "subscriptions": Subscription.objects.filter(reader=reader).count(),
        "pending messages": ReaderMessage.objects.filter(reader=reader).pending().count(),
        "tips": ReaderTip.objects.filter(reader=reader).update(reader=None, email_confirmed_at=None),
    }
    reader.delete()  # subscriptions and messages go with it (CASCADE)
    who = by.get_username() if by is not None else "the reader (their own link)"
    logger.info(
        "Reader #%s erased by %s (%s): %s.",
        pk, who, reason, ", ".join(f"{count} {name}" for name, count in counts.items()),
    )  # fmt: skip
    return counts
