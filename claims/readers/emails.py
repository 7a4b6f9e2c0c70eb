"""The emails readers get: a confirmation, a tipster's notice, a digest of changes.

Every one carries a one-click unsubscribe (RFC 8058: ``List-Unsubscribe`` with the
address of a POST that needs no more than the signed link, and ``List-Unsubscribe-Post``)
and a link to the reader's page of subscriptions. Confirmations hold only our own words
(the claim or claimant followed, never text a stranger typed into a form), since anyone
can ask for one to be sent to any address. Digests show claims in their words of now.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from claims import formats
from claims.models import ReaderEvent, ReaderMessage, Status, Subscription
from claims.readers import tokens
from claims.views.base import absolute, slug_path

ONE_CLICK = "List-Unsubscribe=One-Click"
UNPUBLISHED_CLAIM = "a claim that is no longer on our tracker"


def reader_links(reader) -> dict:
    token = tokens.reader(reader.pk)
    return {
        "unsubscribe_url": absolute(reverse("follow-unsubscribe", args=[token])),
        "manage_url": absolute(reverse("follow-manage", args=[token])),
    }


def claim_url(claim) -> str:
    return absolute(slug_path("claim-detail", claim.slug))


def describe(subscription: Subscription) -> str:
    """What a subscription follows, in words (the claim's and claimant's words of now).

    A claim taken off the site is not described: its words of now are no longer public.
    """
    if subscription.target == Subscription.Target.CLAIM:
        if subscription.claim.published_at is None:
            return UNPUBLISHED_CLAIM
        return f"the claim “{subscription.claim.statement}” by {subscription.claim.claimant.name}"
    if subscription.target == Subscription.Target.CLAIMANT:
        return f"every claim by {subscription.claimant.name}"
    return "every claim we track"


def target_url(subscription: Subscription) -> str:
    if subscription.target == Subscription.Target.CLAIM:
        return claim_url(subscription.claim) if subscription.claim.published_at else absolute(reverse("overview"))
    if subscription.target == Subscription.Target.CLAIMANT:
        return absolute(slug_path("claimant-detail", subscription.claimant.slug))
    return absolute(reverse("overview"))


def _day(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment)


def event_line(event: ReaderEvent) -> str:
    """One change in words: what happened, and when."""
    day = _day(event.happened_at)
    when = formats.newsroom_date(day)
    if event.kind == ReaderEvent.Kind.PUBLISHED:
        return f"Published on {when}."
    if event.kind == ReaderEvent.Kind.OVERDUE:
        return f"Its deadline ({formats.newsroom_date(event.deadline_end)}) passed and it is still open."
    if event.kind == ReaderEvent.Kind.CORRECTION:
        return f"Corrected on {when}: {event.correction}"
    line = f"Status changed to {Status(event.status).label} on {when}"
    if event.previous_status:
        line += f" (previously: {Status(event.previous_status).label})"
    return line + "."


def digest_items(email) -> list[dict]:
    """Each claim of a digest with its changes, oldest first; the claim as readers see it now."""
    events = {}
    for row in email.rows:
        events.setdefault(row.event.claim_id, []).append(row.event)
    items = []
    for claim in email.claims:
        changes = sorted(events.get(claim.pk, ()), key=lambda event: (event.happened_at, event.pk))
        items.append(
            {
                "statement": claim.statement,
                "claimant": claim.claimant.name,
                "status": claim.get_status_display(),
                "deadline": claim.deadline_text or formats.newsroom_date(claim.deadline_end),
                "url": claim_url(claim),
                "changes": [event_line(event) for event in changes],
            }
        )
    return items


def build(email, *, now: datetime.datetime, connection=None) -> EmailMultiAlternatives:
    """The message for one claims.readers.digests.Email."""
    row = email.rows[0]
    context = {"newsroom_name": settings.NEWSROOM_NAME, "site_url": settings.SITE_URL, **reader_links(email.reader)}
    if email.kind == ReaderMessage.Kind.CONFIRM_FOLLOW:
        subscription = row.subscription
        token = tokens.confirmation(tokens.FOLLOW, subscription.pk)
        context.update(
            following=describe(subscription),
            following_url=target_url(subscription),
            confirm_url=absolute(reverse("follow-confirm", args=[token])),
            days=settings.FOLLOW_LINK_MAX_AGE_DAYS,
        )
        subject, template = f"Please confirm: follow {_short(describe(subscription))}", "confirm_follow"
    elif email.kind == ReaderMessage.Kind.CONFIRM_TIP:
        token = tokens.confirmation(tokens.TIP, row.tip_id)
        context.update(
            confirm_url=absolute(reverse("suggest-confirm", args=[token])), days=settings.FOLLOW_LINK_MAX_AGE_DAYS
        )
        subject, template = f"Please confirm your address for your tip to {settings.NEWSROOM_NAME}", "confirm_tip"
    elif email.kind == ReaderMessage.Kind.TIP_PUBLISHED:
        context["claims"] = [
            {"statement": claim.statement, "claimant": claim.claimant.name, "url": claim_url(claim)}
            for claim in email.claims
        ]
        subject, template = "A claim from your tip is now on our tracker", "tip_published"
    else:
        context["items"] = digest_items(email)
        changes = len(email.rows)
        subject = f"Claims you follow: {changes} change{'s' if changes != 1 else ''}"
        template = "digest"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"email/readers/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.reader.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": ONE_CLICK,
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string(f"email/readers/{template}.html", context), "text/html")
    return message


def _short(text: str, length: int = 70) -> str:
    text = " ".join(text.split())  # a header is one line
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
