"""Reader tips: a claim a reader suggests, the desk's decision on it, and telling the tipster.

- ``submit`` keeps a tip from the public form; with an address, a confirmation is queued
  (the same limits as a follow's, claims.readers.subscriptions). The confirmation email
  does not repeat the tip's text: anyone can type any address into the form, and what we
  send a stranger must be only our own words.
- The desk (claims.admin.readers) sends a tip to intake, prefilled (``intake_initial``),
  marks it a duplicate of a claim, or dismisses it (``decide``). Intake links the claims
  it keeps to the tip (``link_claims``, in the transaction that saves them).
- A tipster who confirmed their address is told once when a claim from the tip is
  published: the followers' sweep queues that message when it fans out the claim's
  PUBLISHED event (claims.readers.digests), or ``confirm_email`` does, if the claim was
  published before the tipster confirmed. One such message per tip, ever (a constraint).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.models import Claim, ReaderMessage, ReaderTip
from claims.readers.enqueue import enqueue_sweep_on_commit
from claims.readers.subscriptions import CONFIRMED_ALREADY, cancel_pending, may_send_confirmation, reader_for

# Sizes the public form accepts (claims.readers.forms): enough for a sentence and a name.
STATEMENT_MAX_LENGTH = 1000
CLAIMANT_MAX_LENGTH = 200


@transaction.atomic
def submit(*, statement: str, claimant: str, url: str = "", email: str = "") -> ReaderTip:
    tip = ReaderTip(statement=statement, claimant=claimant, url=url)
    if email:
        tip.reader = reader_for(email)
    tip.save()
    if tip.reader is not None and may_send_confirmation(tip.reader, timezone.now()):
        ReaderMessage.objects.create(
            reader=tip.reader, kind=ReaderMessage.Kind.CONFIRM_TIP, tip=tip, due_at=timezone.now()
        )
        enqueue_sweep_on_commit()
    return tip


@transaction.atomic
def confirm_email(tip_id: int) -> ReaderTip | None:
    """The tipster confirmed their address; harmless when done before. None if the tip or its address is gone."""
    now = timezone.now()
    ReaderTip.objects.filter(pk=tip_id, reader__isnull=False, email_confirmed_at__isnull=True).update(
        email_confirmed_at=now
    )
    cancel_pending(ReaderMessage.objects.filter(tip_id=tip_id, kind=ReaderMessage.Kind.CONFIRM_TIP), CONFIRMED_ALREADY)
    tip = ReaderTip.objects.filter(pk=tip_id, reader__isnull=False).first()
    if tip is not None and tip.claims.published().exists():
        _tell_once(tip, now)
    return tip


def _tell_once(tip: ReaderTip, now) -> None:
    try:
        with transaction.atomic():
            ReaderMessage.objects.create(
                reader_id=tip.reader_id, kind=ReaderMessage.Kind.TIP_PUBLISHED, tip=tip, due_at=now
            )
    except IntegrityError:
        return  # told already, or being told
    enqueue_sweep_on_commit()


def intake_initial(tip_id) -> dict | None:
    """The intake start page's fields for a tip (claims.intake.views.start), or None for no such tip."""
    if not str(tip_id or "").isdigit() or len(str(tip_id)) > 18:
        return None
    tip = ReaderTip.objects.filter(pk=int(tip_id)).first()
    if tip is None:
        return None
    return {
        "title": f"Reader tip {tip.pk}: {tip.claimant}"[:300],
        "url": tip.url,
        "text": f"{tip.claimant}: {tip.statement}",
        "tip": tip.pk,
    }


@transaction.atomic
def link_claims(tip_id: int, claims: list[Claim], *, by) -> ReaderTip | None:
    """Intake kept ``claims`` from the tip: link them, and mark the tip taken in."""
    tip = ReaderTip.objects.select_for_update().filter(pk=tip_id).first()
    if tip is None:
        return None
    if claims:
        tip.claims.add(*claims)
    tip.state, tip.duplicate_of = ReaderTip.State.ACCEPTED, None
    tip.handled_by, tip.handled_at = by, timezone.now()
    tip.save(update_fields=["state", "duplicate_of", "handled_by", "handled_at"])
    return tip


def decide(tip: ReaderTip, state: str, *, by, duplicate_of: Claim | None = None) -> ReaderTip:
    """The desk's decision on a tip: new again, a duplicate of ``duplicate_of``, or dismissed."""
    state = ReaderTip.State(state)
    if state == ReaderTip.State.DUPLICATE and duplicate_of is None:
        raise ValueError("A duplicate needs the claim it duplicates.")
    tip.state = state
    tip.duplicate_of = duplicate_of if state == ReaderTip.State.DUPLICATE else None
    tip.handled_by, tip.handled_at = by, timezone.now()
    tip.save(update_fields=["state", "duplicate_of", "handled_by", "handled_at"])
    return tip
