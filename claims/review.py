"""The two-person rule: which writes wait for a second chief editor, and what a review proposes.

With REVIEW_REQUIRED on, two kinds of write reach readers only through a review
(claims.models.Review), whoever asks and on whatever path (the admin's form and actions,
the services called from a shell, a timeline update that moves the status):

- **publishing** a claim (``published_at`` set on a draft);
- **an outcome** of a published claim: a closed status given or changed, the outcome's
  date, or the verdict (reopening a closed claim takes its outcome away: also reviewed).

Everything else (notes, the assignee, a draft's fields, an open status moving to another
open one, unpublishing, which must never wait) is written at once. claims.services
checks the rule in ``save_claim``, the one door every claim write goes through, and
refuses a reviewable write with ReviewRequired unless it is the approval of a review
(``request_review``, ``approve_review`` and ``return_review`` live there too). The
system account (the operators' commands: the demo loader, imports) is exempt, as it is
from the permission checks.

This module belongs to the register: it knows the claim's fields and the desk's
settings, nothing of the admin or the public pages.
"""

import datetime
import difflib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from claims.models import Claim, Review, Status
from claims.versions import shown_value

logger = logging.getLogger(__name__)

# What a review may propose; ``correction``: the public explanation when the change is one.
CHANGE_KEYS = ("publish", "status", "resolved_on", "verdict", "correction")
# The claim's fields an outcome is made of.
OUTCOME_FIELDS = ("status", "resolved_on", "verdict")


class ReviewRequired(ValidationError):
    """A write readers would see that needs a second chief editor's approval; nothing was written."""

    def __init__(self, what: str):
        approvals = settings.REVIEW_APPROVALS
        who = "a chief editor other than you" if approvals == 1 else f"{approvals} chief editors other than you"
        super().__init__(
            f"{what.capitalize()} goes through review: ask for one (it waits in “Awaiting review” until {who} "
            "approves it).",
            code="review_required",
        )


def required() -> bool:
    return settings.REVIEW_REQUIRED


def reviewable_changes(previous: dict, claim: Claim) -> dict:
    """The part of this write that needs a review, as ``request_review`` takes it ({} when none).

    ``previous``: the row's publication and outcome before the write ({} for a new claim).
    """
    was_published = previous.get("published_at") is not None
    if claim.published_at is None:
        return {}  # a draft, or a takedown: nothing new reaches readers
    if not was_published:
        return {"publish": True}
    changes = {}
    old_status, new_status = previous.get("status"), claim.status
    status_moved = old_status != new_status
    if status_moved and (Status(old_status).is_closed or Status(new_status).is_closed):
        changes["status"] = new_status
    if Status(new_status).is_closed and ("status" in changes or previous.get("resolved_on") != claim.resolved_on):
        changes["resolved_on"] = claim.resolved_on
    if previous.get("verdict", claim.verdict) != claim.verdict:
        changes["verdict"] = claim.verdict
    return changes


def update_needs_review(claim: Claim, status: str) -> bool:
    """Whether a timeline update bringing ``status`` would give the published ``claim`` an outcome (or take it)."""
    if not (required() and claim.pk and claim.published_at is not None) or not status or status == claim.status:
        return False
    return Status(status).is_closed or claim.status_enum.is_closed


UPDATE_NEEDS_REVIEW = (
    "An update that gives this published claim an outcome goes through review: set the status on the claim's "
    "page, in the Status section (the save becomes a review request), and add the update without a status."
)


def describe(changes: dict) -> str:
    """A write's reviewable part in words, for ReviewRequired ("publishing this claim")."""
    if changes.get("publish"):
        return "publishing a claim"
    if "status" in changes:
        return "giving a published claim an outcome or changing it"
    return "changing a published claim's verdict or outcome date"


# --- stored form ------------------------------------------------------------------------


def to_stored(changes: dict) -> dict:
    """The changes as the review's JSON keeps them (dates as ISO text)."""
    stored = {}
    for key, value in changes.items():
        stored[key] = value.isoformat() if isinstance(value, datetime.date) else value
    return stored


def from_stored(stored: dict) -> dict:
    changes = dict(stored)
    if changes.get("resolved_on"):
        changes["resolved_on"] = datetime.date.fromisoformat(changes["resolved_on"])
    return changes


def apply(claim: Claim, changes: dict) -> None:
    """Set a review's changes on ``claim`` (not saved)."""
    if changes.get("publish") and claim.published_at is None:
        claim.published_at = timezone.now()
    for name in OUTCOME_FIELDS:
        if name in changes:
            setattr(claim, name, changes[name])


# --- what the reviewer reads ----------------------------------------------------------------


def word_diff(before: str, after: str) -> SafeString:
    """Text with its deleted words struck through (<del>) and new words underlined (<ins>)."""
    old, new = before.split(), after.split()
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", " ".join(old[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", " ".join(new[j1:j2])))
    return mark_safe(" ".join(parts))


def diff_rows(review: Review, claim: Claim) -> list[dict]:
    """(label, what readers see now, what they would see) for each proposed change, as the reviewer reads them."""
    changes = from_stored(review.changes)
    published = claim.published_at is not None
    rows = []
    if changes.get("publish"):
        rows.append({"label": "Published", "now": "no (a draft)", "proposed": "yes, at once", "diff": None})
    for name in OUTCOME_FIELDS:
        if name not in changes:
            continue
        label = str(Claim._meta.get_field(name).verbose_name).capitalize()
        now = shown_value(Claim, name, getattr(claim, name), limit=None) if published else "(not public)"
        proposed = shown_value(Claim, name, changes[name], limit=None)
        diff = None
        if name == "verdict" and published:
            diff = word_diff(claim.verdict, changes[name] or "")
        rows.append({"label": label, "now": now, "proposed": proposed, "diff": diff})
    if changes.get("correction"):
        rows.append({"label": "Correction (public)", "now": "", "proposed": changes["correction"], "diff": None})
    return rows


def public_preview(claim: Claim, review: Review) -> list[tuple[str, str]]:
    """For a publication: what readers will see of the claim, field by field."""
    changes = from_stored(review.changes)
    shown = Claim(**{f.attname: getattr(claim, f.attname) for f in Claim._meta.concrete_fields})
    apply(shown, {key: value for key, value in changes.items() if key != "publish"})
    names = ["statement", "quote", "claimant", "deadline_text", "deadline_end", "status", "resolved_on", "verdict"]
    return [
        (str(Claim._meta.get_field(name).verbose_name).capitalize(), shown_value(Claim, name, getattr(shown, name)))
        for name in names
        if name != "claimant"
    ] + [("Claimant", claim.claimant.name)]


# --- telling the submitter -----------------------------------------------------------------


def tell_submitter(review: Review, *, by, comment: str) -> None:
    """Email the submitter the decision on their review, once the decision commits.

    Through Django's mail path like every other email of the desk; a failure is logged,
    never raised: the decision stands, and the review list shows it too.
    """
    submitter = review.submitter
    if not submitter.email or submitter.pk == by.pk:
        return
    verb = "approved" if review.state == Review.State.APPROVED else "returned"
    reviewer = by.get_full_name() or by.get_username()
    link = settings.SITE_URL + reverse("admin:claims_review_change", args=[review.pk])
    body = (
        f"{reviewer} {verb} your request: {review.reason}\n\nClaim: {review.claim.statement}\n"
        + (f"\nTheir comment: {comment}\n" if comment else "")
        + (
            "\nNothing readers see has changed. Change the claim and ask again if it should go out.\n"
            if verb == "returned"
            else "\nThe change is now public.\n"
        )
        + f"\n{link}\n"
    )
    subject = f"Review {verb}: {review.claim}"

    def send():
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [submitter.email])
        except Exception as exc:  # SMTP down: the decision stands and the list shows it
            logger.warning("Could not email %s the decision on review %s: %s", submitter.email, review.pk, exc)

    transaction.on_commit(send)
