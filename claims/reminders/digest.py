"""The digest email: one per recipient per sweep, listing every claim that reached a point."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from claims.models import Claim


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
        if not self.claim.is_published:
            return ""
        try:
            return settings.SITE_URL + self.claim.get_absolute_url()
        except NoReverseMatch:
            return ""


def build_items(claims: list[Claim], today: datetime.date) -> list[DigestItem]:
    """Most urgent first: the longest overdue, then due today, then the nearest deadlines."""
    items = [DigestItem(claim, (claim.deadline_end - today).days) for claim in claims]
    return sorted(items, key=lambda item: (item.days_left, item.claim.pk))


def subject_for(items: list[DigestItem]) -> str:
    overdue = sum(item.days_left < 0 for item in items)
    today = sum(item.days_left == 0 for item in items)
    upcoming = len(items) - overdue - today
    parts = [f"{n} {label}" for n, label in ((overdue, "overdue"), (today, "due today"), (upcoming, "coming up")) if n]
    return f"Claim deadlines: {', '.join(parts)}"


def build_message(recipient, items: list[DigestItem], today: datetime.date, connection=None) -> EmailMultiAlternatives:
    context = {
        "recipient": recipient,
        "items": items,
        "today": today,
        "newsroom_name": settings.NEWSROOM_NAME,
        "due_soon_url": settings.SITE_URL + reverse("admin:claims_claim_due_soon"),
    }
    message = EmailMultiAlternatives(
        subject=subject_for(items),
        body=render_to_string("email/reminder_digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("email/reminder_digest.html", context), "text/html")
    return message


def send_digest(recipient, items: list[DigestItem], today: datetime.date) -> None:
    """Send one digest; raises on any failure (the caller records it and retries later).

    One SMTP connection per digest: a server that fails one message is not trusted with
    the next recipient's, and EMAIL_TIMEOUT bounds each connection.
    """
    connection = get_connection(fail_silently=False)
    build_message(recipient, items, today, connection=connection).send()
