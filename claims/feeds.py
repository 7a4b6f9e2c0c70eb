"""Atom feed of new claims and status changes, read from the history in one query.

An entry is a history row of a published claim that readers had not seen before:
either the claim's first publication (or its return after being unpublished), or a
change of status. Rows written while a claim was a draft never appear, and neither do
claims that are not published now. Statements and statuses are those of the row, so an
entry keeps telling what was published at the time.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from claims.models import Claim, Claimant, Status
from claims.views.base import absolute

FEED_LENGTH = 50
# Entries are looked for among the newest FEED_LENGTH * this many history rows of published
# claims; edits that change no status (wording, verdicts) use up rows without making entries.
CANDIDATES_PER_ENTRY = 4


@dataclass
class FeedEvent:
    history_id: int
    claim_id: int
    when: datetime
    slug: str
    statement: str
    claimant: str
    status: Status
    previous_status: Status | None  # None: the claim was (re)published
    verdict: str

    @property
    def is_new(self) -> bool:
        return self.previous_status is None


def recent_events(limit: int = FEED_LENGTH) -> list[FeedEvent]:
    historical = Claim.history.model
    # The newest rows of published states first, then the checks on each: bounding the set
    # keeps the plan cheap (an open-ended scan with per-row subqueries is costed so high
    # that PostgreSQL compiles it with JIT, which alone takes a second).
    candidates = historical.objects.filter(published_at__isnull=False, history_type__in=["+", "~"]).order_by(
        "-history_date", "-history_id"
    )[: limit * CANDIDATES_PER_ENTRY]
    previous = historical.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id")).order_by(
        "-history_id"
    )
    rows = (
        historical.objects.filter(history_id__in=Subquery(candidates.values("history_id")))
        .annotate(
            previous_status=Subquery(previous.values("status")[:1]),
            previous_published_at=Subquery(previous.values("published_at")[:1]),
            current_slug=Subquery(Claim.objects.published().filter(pk=OuterRef("id")).values("slug")[:1]),
            claimant_name=Subquery(Claimant.objects.filter(pk=OuterRef("claimant_id")).values("name")[:1]),
        )
        .filter(current_slug__isnull=False)
        .filter(Q(previous_published_at__isnull=True) | ~Q(previous_status=F("status")))
        .order_by("-history_date", "-history_id")
        .values(
            "history_id", "id", "history_date", "current_slug", "statement", "claimant_name", "status",
            "previous_status", "previous_published_at", "verdict",
        )[:limit]
    )  # fmt: skip
    return [
        FeedEvent(
            history_id=row["history_id"],
            claim_id=row["id"],
            when=row["history_date"],
            slug=row["current_slug"],
            statement=row["statement"],
            claimant=row["claimant_name"] or "",
            status=Status(row["status"]),
            previous_status=Status(row["previous_status"]) if row["previous_published_at"] else None,
            verdict=row["verdict"],
        )
        for row in rows
    ]


class ClaimEventsFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return f"{settings.NEWSROOM_NAME}: claims tracked"

    def subtitle(self):
        return "New claims and changes of status, as published on the claim tracker."

    def link(self):
        return absolute(reverse("claim-list"))

    def feed_url(self):
        return absolute(reverse("claim-feed"))

    def feed_guid(self):
        return self.feed_url()

    def author_name(self):
        return settings.NEWSROOM_NAME

    def author_link(self):
        return settings.NEWSROOM_URL

    def items(self):
        return recent_events()

    def item_title(self, event: FeedEvent):
        # Plain text: the Atom generator escapes it once.
        if event.is_new:
            return f"New claim: {event.statement}"
        return f"{event.status.label}: {event.statement}"

    def item_description(self, event: FeedEvent):
        lines = [f"Claimant: {event.claimant}.", f"Status: {event.status.label}."]
        if event.previous_status is not None:
            lines.append(f"Previously: {event.previous_status.label}.")
        if event.verdict and event.status.is_closed:
            lines.append(event.verdict)
        # Atom's summary is written as type="html": what editors typed must be escaped as HTML.
        return escape(" ".join(lines))

    def item_link(self, event: FeedEvent):
        return absolute(reverse("claim-detail", kwargs={"slug": event.slug}))

    def item_guid(self, event: FeedEvent):
        # A tag URI (RFC 4151): stable even if the claim's slug changes later.
        return f"tag:{urlsplit(settings.SITE_URL).hostname},2025:claim/{event.claim_id}/change/{event.history_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, event: FeedEvent):
        return event.when

    def item_updateddate(self, event: FeedEvent):
        return event.when

    def item_author_name(self, event: FeedEvent):
        return settings.NEWSROOM_NAME

    def item_categories(self, event: FeedEvent):
        return [event.status.label]
