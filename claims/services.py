"""Write paths for the claim register.

Every function here validates, writes in one transaction and records the acting user
and a reason on the history row. Views, the admin, commands and tasks call these;
nothing else saves a tracked model.
"""

import datetime
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from claims.models import (
    Appearance,
    Claim,
    Claimant,
    Source,
    Status,
    TrackedModel,
    Update,
    newsroom_today,
    outcome_date,
)

SYSTEM_USERNAME = "factcheck-system"
PUBLISH_PERMISSION = "claims.publish_claim"

# Functions called (inside the transaction) after a claim is saved, with the claim and
# the values of its deadline and status before the save. Features such as reminders
# register here so that every write path keeps them up to date.
claim_saved_hooks: list[Callable[[Claim, dict], None]] = []


def system_user():
    """The account named on history rows written by the system (demo loader, tasks)."""
    user, _ = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "first_name": "factcheck", "last_name": "(system)"}
    )
    return user


def _require_reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise ValidationError({"change_reason": "Give a reason for this change; it is kept in the history."})
    return reason.strip()


def tracked_save(obj: TrackedModel, *, by, reason: str, validate: bool = True) -> TrackedModel:
    """Save a tracked model with its history user and reason."""
    reason = _require_reason(reason)
    if validate:
        obj.full_clean()
    obj._history_user = by
    obj._change_reason = reason
    obj.save()
    return obj


@transaction.atomic
def tracked_delete(obj: TrackedModel, *, by, reason: str) -> None:
    reason = _require_reason(reason)
    if isinstance(obj, Claim):
        # Django's cascade deletes rows without calling their delete(): delete the claim's
        # timeline and appearances first so that their history rows carry the user and reason.
        for child in [*obj.updates.all(), *obj.appearances.all()]:
            tracked_delete(child, by=by, reason=reason)
    obj._history_user = by
    obj._change_reason = reason
    obj.delete()


def unique_slug(model, text: str, *, max_length: int = 80, exclude_pk=None) -> str:
    base = slugify(text)[:max_length].strip("-") or "claim"
    candidate, n = base, 1
    taken = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while taken.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base[: max_length - len(str(n)) - 1]}-{n}"
    return candidate


def _previous_state(claim: Claim) -> dict:
    if claim.pk is None:
        return {}
    return (
        Claim.objects.filter(pk=claim.pk).values("status", "deadline_end", "published_at", "assignee_id").first() or {}
    )


@transaction.atomic
def save_claim(claim: Claim, *, by, reason: str) -> Claim:
    """Create or change a claim. A status change needs a reason like any other write."""
    previous = _previous_state(claim)
    if not claim.slug:
        claim.slug = unique_slug(Claim, claim.statement)
    claim.resolved_on = outcome_date(claim.status, claim.resolved_on)
    tracked_save(claim, by=by, reason=reason)
    for hook in claim_saved_hooks:
        hook(claim, previous)
    return claim


def change_status(
    claim: Claim, status: str, *, by, reason: str, resolved_on: datetime.date | None = None, verdict: str | None = None
) -> Claim:
    """Move a claim on the promise meter. Fulfilled after the deadline is refused: use fulfilled_late."""
    status = Status(status)
    _require_reason(reason)
    claim.status = status
    claim.resolved_on = resolved_on if status.is_closed else None
    if verdict is not None:
        claim.verdict = verdict
    return save_claim(claim, by=by, reason=reason)


def _check_can_publish(by) -> None:
    if by is None or not by.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Only chief editors can publish or unpublish claims.")


def publish(claim: Claim, *, by, reason: str = "Published") -> Claim:
    _check_can_publish(by)
    if claim.published_at is None:
        claim.published_at = timezone.now()
        save_claim(claim, by=by, reason=reason)
    return claim


def unpublish(claim: Claim, *, by, reason: str = "Unpublished") -> Claim:
    _check_can_publish(by)
    if claim.published_at is not None:
        claim.published_at = None
        save_claim(claim, by=by, reason=reason)
    return claim


def assign(claim: Claim, assignee, *, by, reason: str = "Assigned") -> Claim:
    if claim.assignee_id != (assignee.pk if assignee else None):
        claim.assignee = assignee
        save_claim(claim, by=by, reason=reason)
    return claim


@transaction.atomic
def record_update(update: Update, *, by, reason: str | None = None) -> Update:
    """Save a timeline entry; when it brings a new status, move the claim to it as of its date.

    Only a new status moves the claim: correcting the wording of an old update, or adding
    one dated before a later status update, leaves the claim's current status alone.
    """
    reason = reason or f"Timeline update of {update.date:%Y-%m-%d}"
    previous_status = None
    if update.pk:
        previous_status = Update.objects.filter(pk=update.pk).values_list("status", flat=True).first()
    tracked_save(update, by=by, reason=reason)
    claim = update.claim
    brings_status = update.status and update.status != previous_status and update.status != claim.status
    superseded = (
        claim.updates.exclude(pk=update.pk).exclude(status="").filter(date__gt=update.date).exists()
        if brings_status
        else False
    )
    if brings_status and not superseded:
        change_status(claim, update.status, by=by, reason=f"{reason}: {update.summary}"[:2000], resolved_on=update.date)
    return update


def add_update(claim: Claim, *, summary: str, by, date=None, url: str = "", status: str = "", reason=None) -> Update:
    update = Update(claim=claim, summary=summary, date=date or newsroom_today(), url=url, status=status)
    return record_update(update, by=by, reason=reason)


def get_or_create_claimant(name: str, *, by, reason: str, kind: str = Claimant.Kind.ORGANIZATION, url: str = ""):
    slug = slugify(name)[:200]
    claimant = Claimant.objects.filter(slug=slug).first()
    if claimant:
        return claimant, False
    claimant = Claimant(name=name, slug=slug, kind=kind, url=url)
    return tracked_save(claimant, by=by, reason=reason), True


def get_or_create_source(
    *, title: str, by, reason: str, url: str = "", publisher: str = "", published_on=None, body=""
):
    """One Source per URL: submitting the same article again returns the existing row."""
    existing = Source.objects.filter(url=url).first() if url else None
    if existing:
        return existing, False
    source = Source(title=title, url=url, publisher=publisher, published_on=published_on, body=body)
    return tracked_save(source, by=by, reason=reason), True


def add_appearance(claim: Claim, source: Source, *, by, reason: str, quote: str = "") -> Appearance:
    existing = Appearance.objects.filter(claim=claim, source=source).first()
    if existing or source.pk == claim.source_id:
        return existing
    return tracked_save(Appearance(claim=claim, source=source, quote=quote), by=by, reason=reason)
