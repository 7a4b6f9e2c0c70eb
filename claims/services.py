"""Write paths for the claim register.

Every function here validates, writes in one transaction and records the acting user
and a reason on the history row. Views, the admin, commands and tasks call these;
nothing else saves a tracked model.

Three rules hold on every path, because they are checked here and in the model rather
than by the forms that call in:

- **Nothing silently overwritten.** A write goes on only from the row's current version
  (claims.versions): the one a form was opened at (``expected_version=``), else the one
  the object was loaded with; otherwise StaleEdit, and nothing is written.
- **Permission of what changes.** The saved row is compared with the locked row before
  it: publishing or unpublishing needs the publish permission, deleting the delete
  permission, whatever form or command asked for it.
- **Corrections are public.** ``correction=`` marks a write to a published claim as a
  correction, with the explanation readers will see (claims.history).
"""

import datetime
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from claims import formats
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


def is_system(user) -> bool:
    """The system account (commands and tasks run by the operators): it cannot sign in, so no request acts as it."""
    return user is not None and user.get_username() == SYSTEM_USERNAME and not user.is_active


def _check_permission(by, permission: str, message: str) -> None:
    if is_system(by):
        return
    if by is None or not by.has_perm(permission):
        raise PermissionDenied(message)


def tracked_save(
    obj: TrackedModel, *, by, reason: str, validate: bool = True, expected_version: int | None = None
) -> TrackedModel:
    """Save a tracked model with its history user and reason, from ``expected_version`` (else the loaded one)."""
    reason = _require_reason(reason)
    if validate:
        obj.full_clean()
    obj._history_user = by
    obj._change_reason = reason
    if expected_version is not None:
        obj._expected_version = expected_version
    obj.save()
    return obj


@transaction.atomic
def tracked_delete(obj: TrackedModel, *, by, reason: str, expected_version: int | None = None) -> None:
    reason = _require_reason(reason)
    opts = obj._meta
    _check_permission(
        by, f"{opts.app_label}.delete_{opts.model_name}", f"Only chief editors can delete {opts.verbose_name_plural}."
    )
    if isinstance(obj, Claim):
        # Django's cascade deletes rows without calling their delete(): delete the claim's
        # timeline and appearances first so that their history rows carry the user and reason.
        for child in [*obj.updates.all(), *obj.appearances.all()]:
            tracked_delete(child, by=by, reason=reason)
    obj._history_user = by
    obj._change_reason = reason
    if expected_version is not None:
        obj._expected_version = expected_version
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
    """The claim's row as it is now, for the permission checks and the save hooks to compare with.

    Read without a lock: the write locks the row and checks its version (TrackedModel.save),
    so should another write commit in between, this one is refused as stale rather than
    compared with a row it does not replace.
    """
    if claim.pk is None:
        return {}
    row = Claim.objects.filter(pk=claim.pk).order_by()
    return row.values("status", "deadline_end", "published_at", "assignee_id").first() or {}


# A correction's public explanation is shown to readers: a sentence or a short paragraph.
CORRECTION_MAX_LENGTH = 2000


def _check_correction(claim: Claim, previous: dict, correction: str) -> str:
    correction = (correction or "").strip()
    if not correction:
        return ""
    if not previous.get("published_at") or claim.published_at is None:
        raise ValidationError(
            {"correction": "Only a published claim can be corrected: a draft is simply edited, with a reason."}
        )
    if len(correction) > CORRECTION_MAX_LENGTH:
        raise ValidationError(
            {"correction": f"Keep the correction's explanation under {CORRECTION_MAX_LENGTH} characters."}
        )
    return correction


@transaction.atomic
def save_claim(
    claim: Claim,
    *,
    by,
    reason: str,
    expected_version: int | None = None,
    correction: str = "",
    validate: bool = True,
) -> Claim:
    """Create or change a claim, from ``expected_version`` (else the version it was loaded with).

    Publishing or unpublishing (``published_at`` set, cleared or moved) needs the publish
    permission, checked against the row as it is, whoever calls. ``correction``: the
    public explanation when this write corrects a published claim.
    """
    previous = _previous_state(claim)
    if claim.published_at != previous.get("published_at"):
        _check_can_publish(by)
    correction = _check_correction(claim, previous, correction)
    if not claim.slug:
        claim.slug = unique_slug(Claim, claim.statement)
    claim.resolved_on = outcome_date(claim.status, claim.resolved_on)
    if correction:
        claim._correction = correction
    tracked_save(claim, by=by, reason=reason, expected_version=expected_version, validate=validate)
    for hook in claim_saved_hooks:
        hook(claim, previous)
    return claim


def change_status(
    claim: Claim,
    status: str,
    *,
    by,
    reason: str,
    resolved_on: datetime.date | None = None,
    verdict: str | None = None,
    expected_version: int | None = None,
    correction: str = "",
) -> Claim:
    """Move a claim on the promise meter. Fulfilled after the deadline is refused: use fulfilled_late."""
    status = Status(status)
    _require_reason(reason)
    claim.status = status
    claim.resolved_on = resolved_on if status.is_closed else None
    if verdict is not None:
        claim.verdict = verdict
    return save_claim(claim, by=by, reason=reason, expected_version=expected_version, correction=correction)


def _check_can_publish(by) -> None:
    _check_permission(by, PUBLISH_PERMISSION, "Only chief editors can publish or unpublish claims.")


def publish(claim: Claim, *, by, reason: str = "Published", expected_version: int | None = None) -> Claim:
    _check_can_publish(by)
    if claim.published_at is None:
        claim.published_at = timezone.now()
        save_claim(claim, by=by, reason=reason, expected_version=expected_version)
    return claim


def unpublish(claim: Claim, *, by, reason: str = "Unpublished", expected_version: int | None = None) -> Claim:
    """Take a claim off the site. Never held up by the rest of the row: a claim saved before a
    rule existed (a date out of range) must still come down at once; only the publication changes."""
    _check_can_publish(by)
    if claim.published_at is not None:
        claim.published_at = None
        save_claim(claim, by=by, reason=reason, expected_version=expected_version, validate=False)
    return claim


def assign(claim: Claim, assignee, *, by, reason: str = "Assigned", expected_version: int | None = None) -> Claim:
    if claim.assignee_id != (assignee.pk if assignee else None):
        claim.assignee = assignee
        save_claim(claim, by=by, reason=reason, expected_version=expected_version)
    return claim


@transaction.atomic
def record_update(
    update: Update, *, by, reason: str | None = None, expected_version: int | None = None, correction: str = ""
) -> Update:
    """Save a timeline entry; when it brings a new status, move the claim to it as of its date.

    Only a new status moves the claim: correcting the wording of an old update, or adding
    one dated before a later status update, leaves the claim's current status alone.
    ``correction``: the write corrects the claim's public timeline; the claim carries the
    correction (its page and the feed show it), in the same transaction.
    """
    reason = reason or f"Timeline update of {formats.newsroom_date(update.date)}"
    previous_status = None
    if update.pk:
        previous_status = Update.objects.filter(pk=update.pk).values_list("status", flat=True).first()
    tracked_save(update, by=by, reason=reason, expected_version=expected_version)
    claim = update.claim
    brings_status = update.status and update.status != previous_status and update.status != claim.status
    superseded = (
        claim.updates.exclude(pk=update.pk).exclude(status="").filter(date__gt=update.date).exists()
        if brings_status
        else False
    )
    if brings_status and not superseded:
        change_status(
            claim,
            update.status,
            by=by,
            reason=f"{reason}: {update.summary}"[:2000],
            resolved_on=update.date,
            correction=correction,
        )
    elif correction:
        save_claim(claim, by=by, reason=reason, correction=correction)
    return update


def add_update(
    claim: Claim, *, summary: str, by, date=None, url: str = "", status: str = "", reason=None, correction: str = ""
) -> Update:
    update = Update(claim=claim, summary=summary, date=date or newsroom_today(), url=url, status=status)
    return record_update(update, by=by, reason=reason, correction=correction)


def get_or_create_claimant(name: str, *, by, reason: str, kind: str = Claimant.Kind.ORGANIZATION, url: str = ""):
    """The claimant of this name, found by its slug, or created.

    A name in a script that slugs cannot carry (addresses are ASCII: "Газпром") is found by
    the name itself, and a new one gets an address of its own ("claimant", "claimant-2", ...).
    """
    name = name.strip()
    slug = slugify(name)[:200]
    found = Claimant.objects.filter(slug=slug) if slug else Claimant.objects.filter(name__iexact=name)
    claimant = found.first()
    if claimant:
        return claimant, False
    claimant = Claimant(name=name, slug=slug or unique_slug(Claimant, "claimant", max_length=200), kind=kind, url=url)
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
