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
- **Two people for what readers see.** With REVIEW_REQUIRED, publishing a claim and
  giving a published one an outcome are refused here (claims.review.ReviewRequired)
  unless a review of them is being approved: ``request_review``, ``approve_review``,
  ``return_review`` (claims/review.py says which writes and why).
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from claims import formats
from claims import review as review_rule
from claims.models import (
    Appearance,
    Claim,
    Claimant,
    MethodologyText,
    Review,
    ReviewDecision,
    Source,
    Status,
    TrackedModel,
    Update,
    newsroom_today,
    outcome_date,
)
from claims.versions import changes_since

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


def previous_state(claim: Claim) -> dict:
    """The claim's row as it is now, for the permission checks and the save hooks to compare with.

    Read without a lock: the write locks the row and checks its version (TrackedModel.save),
    so should another write commit in between, this one is refused as stale rather than
    compared with a row it does not replace.
    """
    if claim.pk is None:
        return {}
    row = Claim.objects.filter(pk=claim.pk).order_by()
    fields = ("status", "deadline_end", "published_at", "assignee_id", "resolved_on", "verdict")
    return row.values(*fields).first() or {}


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
    reviewed: Review | None = None,
) -> Claim:
    """Create or change a claim, from ``expected_version`` (else the version it was loaded with).

    Publishing or unpublishing (``published_at`` set, cleared or moved) needs the publish
    permission, checked against the row as it is, whoever calls. ``correction``: the
    public explanation when this write corrects a published claim. With REVIEW_REQUIRED,
    a publication or an outcome is refused (ReviewRequired) unless ``reviewed`` is the
    review being approved (only ``approve_review`` passes it).
    """
    previous = previous_state(claim)
    if claim.published_at != previous.get("published_at"):
        _check_can_publish(by)
    if reviewed is None and review_rule.required() and not is_system(by):
        if changes := review_rule.reviewable_changes(previous, claim):
            raise review_rule.ReviewRequired(review_rule.describe(changes))
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


# --- the two-person rule (claims/review.py) ----------------------------------------------


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def request_review(claim: Claim, *, by, reason: str, **changes) -> Review:
    """Ask for a change readers would see: ``publish=True``, ``status=``, ``resolved_on=``, ``verdict=``,
    ``correction=`` (a published claim's public explanation, when the change corrects it).

    The change is checked now as the claim's rules would check it (a fulfilled status
    after the deadline is refused here, not at approval), and nothing of the claim is
    written. One pending review per claim: a second is refused until the first is decided.
    """
    reason = _require_reason(reason)
    _check_permission(by, "claims.change_claim", "Only editors can ask for a review.")
    unknown = set(changes) - set(review_rule.CHANGE_KEYS)
    if unknown:
        raise ValueError(f"A review cannot propose {', '.join(sorted(unknown))}.")
    current = Claim.objects.select_for_update().get(pk=claim.pk)  # two requests of one claim take turns
    pending = Review.objects.filter(claim=current, state=Review.State.PENDING).select_related("submitter").first()
    if pending is not None:
        raise ValidationError(
            f"This claim already awaits review (asked by {_name(pending.submitter)} on "
            f"{timezone.localtime(pending.created_at):%-d %B %Y, %H:%M}): it is approved or returned first.",
            code="review_pending",
        )
    proposal = dict(changes)
    if "status" in proposal:
        status = Status(proposal["status"])
        proposal["status"] = status.value
        proposal["resolved_on"] = outcome_date(status, proposal.get("resolved_on"))
    if proposal.get("publish") and current.published_at is not None:
        proposal.pop("publish")
    if not proposal.get("publish"):
        proposal.pop("publish", None)
    if "verdict" in proposal:
        proposal["verdict"] = (proposal["verdict"] or "").strip()
    for name in review_rule.OUTCOME_FIELDS:  # what would not change is no part of the proposal
        if name in proposal and proposal[name] == getattr(current, name):
            proposal.pop(name)
    proposal["correction"] = _check_correction(
        current, {"published_at": current.published_at}, changes.get("correction", "")
    )
    if not proposal["correction"]:
        proposal.pop("correction")
    candidate = Claim.objects.get(pk=current.pk)
    review_rule.apply(candidate, proposal)
    candidate.full_clean()
    if not any(key in proposal for key in ("publish", "status", "verdict", "resolved_on")):
        raise ValidationError("Nothing to review: the claim already is as proposed.", code="review_empty")
    return Review.objects.create(
        claim=current,
        changes=review_rule.to_stored(proposal),
        reason=reason,
        submitter=by,
        base_version=current.version,
        base_public_changed_at=current.public_changed_at,
    )


def _locked_pending(review: Review) -> Review:
    """The review's row, locked until the decision commits; refused once it is decided.

    The lock makes racing decisions (two reviewers clicking at once) take turns: the second
    finds the review decided and is told by whom, and nothing of it takes effect.
    """
    locked = Review.objects.select_for_update().get(pk=review.pk)  # the review's row alone (no join locked)
    if not locked.is_pending:
        last = locked.decisions.select_related("reviewer").order_by("-decided_at", "-id").first()
        who = f" by {_name(last.reviewer)}" if last else ""
        when = f" on {timezone.localtime(locked.decided_at):%-d %B %Y, %H:%M}" if locked.decided_at else ""
        raise ValidationError(
            f"This review was already {locked.get_state_display().lower()}{who}{when}; nothing more was done.",
            code="review_decided",
        )
    return locked


def _check_reviewer(review: Review, by, verb: str) -> None:
    _check_permission(by, PUBLISH_PERMISSION, f"Only chief editors can {verb} a review.")
    if by.pk == review.submitter_id:
        raise PermissionDenied(f"You asked for this change: a chief editor other than you must {verb} it.")


@transaction.atomic
def approve_review(review: Review, *, by, comment: str = "") -> Review:
    """Approve a review; with REVIEW_APPROVALS approvals it takes effect at once, as one history entry.

    The entry names the submitter and every approver (its reason), and is written by the
    last approver. Refused (StaleReview, nothing recorded) when readers' side of the claim
    changed since the request: the reviewer would be approving something else.
    """
    locked = _locked_pending(review)
    _check_reviewer(locked, by, "approve")
    if locked.decisions.filter(reviewer=by).exists():
        raise ValidationError("You already approved this review; it waits for another chief editor.", code="twice")
    ReviewDecision.objects.create(
        review=locked, reviewer=by, decision=ReviewDecision.Decision.APPROVE, comment=(comment or "").strip()
    )
    approvals = list(locked.decisions.filter(decision=ReviewDecision.Decision.APPROVE).select_related("reviewer"))
    if len(approvals) >= settings.REVIEW_APPROVALS:
        _apply_review(locked, approvals, by)
        locked.state = Review.State.APPROVED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decided_at"])
        review_rule.tell_submitter(locked, by=by, comment=comment)
    review.__dict__.update({k: getattr(locked, k) for k in ("state", "decided_at")})
    return locked


def _apply_review(review: Review, approvals: list[ReviewDecision], by) -> None:
    claim = Claim.objects.select_for_update().get(pk=review.claim_id)
    if claim.public_changed_at != review.base_public_changed_at:
        raise StaleReview(claim, review)
    changes = review_rule.from_stored(review.changes)
    correction = changes.pop("correction", "")
    review_rule.apply(claim, changes)
    approvers = ", ".join(_name(decision.reviewer) for decision in approvals)
    reason = f"{review.reason} (asked by {_name(review.submitter)}; approved by {approvers})"
    save_claim(
        claim, by=by, reason=reason[:2000], expected_version=claim.version, correction=correction, reviewed=review
    )
    review.claim = claim


class StaleReview(ValidationError):
    """Readers' side of the claim changed since the review was asked for; nothing was applied."""

    def __init__(self, claim: Claim, review: Review):
        who = ", ".join(dict.fromkeys(change.user for change in changes_since(Claim, claim.pk, review.base_version)))
        super().__init__(
            f"The claim was changed by {who or 'someone else'} since this review was asked for; nothing was "
            "applied. Return the review so that it can be asked for again on the claim as it is now.",
            code="review_stale",
        )


@transaction.atomic
def return_review(review: Review, *, by, comment: str) -> Review:
    """Send a review back with a comment: nothing of the claim changes; the submitter is told."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say why you return it: the submitter reads it."})
    locked = _locked_pending(review)
    _check_reviewer(locked, by, "return")
    if locked.decisions.filter(reviewer=by).exists():
        # One decision per reviewer (a page opened before one's own approval still shows Return).
        raise ValidationError(
            "You already approved this review; another chief editor approves or returns it now.", code="twice"
        )
    ReviewDecision.objects.create(review=locked, reviewer=by, decision=ReviewDecision.Decision.RETURN, comment=comment)
    locked.state = Review.State.RETURNED
    locked.decided_at = timezone.now()
    locked.save(update_fields=["state", "decided_at"])
    review_rule.tell_submitter(locked, by=by, comment=comment)
    review.__dict__.update({k: getattr(locked, k) for k in ("state", "decided_at")})
    return locked


# --- the methodology page's own text ---------------------------------------------------------


def save_methodology(*, by, reason: str, expected_version: int | None = None, **texts) -> MethodologyText:
    """Change the newsroom's text on /methodology/ (introduction, corrections_policy, contact); chief editors only."""
    _check_permission(by, PUBLISH_PERMISSION, "Only chief editors can change the methodology page.")
    text = MethodologyText.objects.filter(pk=MethodologyText.SINGLETON_ID).first()
    if text is None:
        text = MethodologyText(pk=MethodologyText.SINGLETON_ID)
    for name, value in texts.items():
        if name not in ("introduction", "corrections_policy", "contact"):
            raise ValueError(f"The methodology text has no {name}.")
        setattr(text, name, (value or "").strip())
    return tracked_save(text, by=by, reason=reason, expected_version=expected_version)
