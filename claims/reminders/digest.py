"""The digest email: one per recipient per sweep, listing every claim that reached a point."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from claims import formats
from claims.models import Claim
from claims.views.base import slug_path


@dataclass(frozen=True)
class DigestItem:
    claim: Claim
    days_left: int  # negative when overdue, counted on the newsroom's calendar

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0

    @property
    def when(self) -> str:
        if self.days_left < 0:
            days = -self.days_left
            return f"overdue by {days} day{'s' if days != 1 else ''}"
        if self.days_left == 0:
            return "due today"
        return f"{self.days_left} day{'s' if self.days_left != 1 else ''} left"

    @property
    def admin_url(self) -> str:
        return settings.SITE_URL + reverse("admin:claims_claim_change", args=[self.claim.pk])

    @property
    def public_url(self) -> str:
        """The published claim's page; empty for drafts (and while no public page is routed)."""
        return _public_url(self.claim)


def build_items(claims: list[Claim], today: datetime.date) -> list[DigestItem]:
    """Most urgent first: the longest overdue, then due today, then the nearest deadlines."""
    items = [DigestItem(claim, (claim.deadline_end - today).days) for claim in claims]
    return sorted(items, key=lambda item: (item.days_left, item.claim.pk))


def subject_for(items: list[DigestItem], reviews: list[dict] = ()) -> str:
    overdue = sum(item.days_left < 0 for item in items)
    today = sum(item.days_left == 0 for item in items)
    upcoming = len(items) - overdue - today
    parts = [f"{n} {label}" for n, label in ((overdue, "overdue"), (today, "due today"), (upcoming, "coming up")) if n]
    waiting = f"{len(reviews)} review{'s' if len(reviews) != 1 else ''} waiting" if reviews else ""
    if not parts:
        return f"Claim deadlines: {waiting}"
    return f"Claim deadlines: {', '.join(parts)}" + (f"; {waiting}" if waiting else "")


# Stands in for the claim's pk in the one reverse() of the admin URL per digest; no real pk reaches it.
_PK_PLACEHOLDER = 987654321987654321


def _admin_url_maker():
    """pk -> the claim's admin change URL, from a single reverse(): a digest lists dozens of claims."""
    head, tail = reverse("admin:claims_claim_change", args=[_PK_PLACEHOLDER]).split(str(_PK_PLACEHOLDER))
    return lambda pk: f"{settings.SITE_URL}{head}{pk}{tail}"


def _public_url(claim: Claim) -> str:
    """claim.get_absolute_url() on SITE_URL, without a reverse() per claim (slug_path caches the pattern)."""
    if not claim.is_published:
        return ""
    try:
        return settings.SITE_URL + slug_path("claim-detail", claim.slug)
    except NoReverseMatch:
        return ""


def lines_for(items: list[DigestItem]) -> list[dict[str, str]]:
    """What the email shows of each claim, worked out once for both templates.

    Plain strings in dicts: the templates only print them (and escape them, the HTML one),
    so each is one lookup instead of a walk through attributes, properties and filters.
    """
    admin_url = _admin_url_maker()
    lines = []
    for item in items:
        claim = item.claim
        deadline_end = formats.newsroom_date(claim.deadline_end)  # "2 December 2026", as the desk writes it
        lines.append(
            {
                "statement": claim.statement,
                "claimant": claim.claimant.name,
                "deadline": f"{claim.deadline_text} ({deadline_end})" if claim.deadline_text else deadline_end,
                "when": item.when,
                "status": str(claim.get_status_display()) + ("" if claim.published_at else " (draft)"),
                "target": claim.target_display,
                "admin_url": admin_url(claim.pk),
                "public_url": _public_url(claim),
            }
        )
    return lines


def build_message(
    recipient, items: list[DigestItem], today: datetime.date, connection=None, reviews: list[dict] = ()
) -> EmailMultiAlternatives:
    """``reviews``: the waiting reviews listed to a chief editor (claims.reminders.reviews)."""
    context = {
        "recipient": recipient,
        "reviews": list(reviews),
        "reviews_url": settings.SITE_URL + reverse("admin:claims_review_changelist"),
        "lines": lines_for(items),
        "today": today,
        "newsroom_name": settings.NEWSROOM_NAME,
        "due_soon_url": settings.SITE_URL + reverse("admin:claims_claim_due_soon"),
    }
    message = EmailMultiAlternatives(
        subject=subject_for(items, reviews),
        body=render_to_string("email/reminder_digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("email/reminder_digest.html", context), "text/html")
    return message


def send_digest(recipient, items: list[DigestItem], today: datetime.date, *, reviews: list[dict] = ()) -> None:
    """Send one digest; raises on any failure (the caller records it and retries later).

    One SMTP connection per digest: a server that fails one message is not trusted with
    the next recipient's, and EMAIL_TIMEOUT bounds each connection.
    """
    connection = get_connection(fail_silently=False)
    build_message(recipient, items, today, connection=connection, reviews=reviews).send()
