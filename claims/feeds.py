"""Atom feed (RFC 4287) of new claims, status changes and corrections, read from the history in one query.

An entry is a history row of a published claim that is a public event (claims.history):
the claim's first publication (or its return after being unpublished), a change of
status, or a correction. Rows written while a claim was a draft never appear, and neither
do claims that are not published now. An entry tells *when* and *which status* from its
row, but its words (statement, claimant, verdict) are the claim's as readers see them
now: a statement corrected, or a name taken down for legal reasons, must not live on in
the feed. The verdict shows only on the entry of the claim's current status (an older
rating's verdict is not the text the claim shows). Rows are marked as events when they
are written, so the feed reads the newest marked rows from their own index: comparing
each recent row with the one before it on every request was 6 ms of PostgreSQL's time at
a million claims.

The XML is written here rather than through ``django.contrib.syndication``, as
claims/calendar.py does for iCalendar: for 50 entries the framework's per-item
attribute lookups and the SAX writer of ``django.utils.feedgenerator`` took about
4.5 ms, as long as the feed's query at a million claims; these functions take 0.5 ms,
and every feed reader polls this address. The document is the one Django wrote (byte
for byte with Django 5.2; tests/test_public_feed_writer.py compares the two element by
element). Two rules keep it well-formed, each in a helper below: every text and
attribute value goes through ``xml_text`` or ``xml_attribute``, and characters XML 1.0
cannot carry at all (most control characters) are dropped, where Django's writer
refused the whole feed for one of them. The tests parse the result with feedparser.
"""

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.http import http_date
from django.utils.translation import get_language

from claims import compiled
from claims.models import FeedEntry, Status, historical_claim_model
from claims.views.base import absolute, of_published_claim, slug_path

FEED_LENGTH = 50


@dataclass(frozen=True)
class FeedEvent:
    history_id: int
    claim_id: int
    when: datetime
    slug: str
    statement: str  # the claim's now
    claimant: str  # the claim's claimant's name now
    kind: FeedEntry
    status: Status  # the row's: the status readers saw from then on
    previous_status: Status | None  # before a status change (or a correction that changed it)
    verdict: str  # the claim's now, on the entry of its current status only; else ""
    correction: str  # a correction's public explanation

    @property
    def is_new(self) -> bool:
        return self.kind == FeedEntry.PUBLISHED


def _events_query(limit: int):
    """The newest public events of claims published now, from the events' own index, with the claims' words now."""
    return (
        historical_claim_model()
        # The partial index's own condition, then the kinds readers are told of.
        .objects.exclude(feed_entry=FeedEntry.NONE)
        .filter(feed_entry__in=FeedEntry.shown_to_readers())
        .annotate(
            current_slug=of_published_claim("slug"),
            current_statement=of_published_claim("statement"),
            current_claimant=of_published_claim("claimant__name"),
            current_status=of_published_claim("status"),
            current_verdict=of_published_claim("verdict"),
        )
        .filter(current_slug__isnull=False)
        .order_by("-history_date", "-history_id")
        .values_list(
            "history_id", "id", "history_date", "current_slug", "current_statement", "current_claimant",
            "feed_entry", "status", "feed_previous_status", "current_status", "current_verdict", "correction",
        )[:limit]
    )  # fmt: skip


def recent_events(limit: int = FEED_LENGTH) -> list[FeedEvent]:
    # Its SQL never changes: built and compiled once per connection (claims.compiled).
    return [
        FeedEvent(
            history_id=history_id,
            claim_id=claim_id,
            when=when,
            slug=slug,
            statement=statement,
            claimant=claimant or "",
            kind=FeedEntry(kind),
            status=Status(status),
            previous_status=Status(previous_status) if previous_status else None,
            verdict=verdict if status == current_status else "",
            correction=correction,
        )
        for (
            history_id, claim_id, when, slug, statement, claimant, kind, status, previous_status, current_status,
            verdict, correction,
        ) in compiled.rows("feed-events", limit, lambda: _events_query(limit))
    ]  # fmt: skip


# --- writing the XML ---------------------------------------------------------------

CONTENT_TYPE = "application/atom+xml; charset=utf-8"
ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
# Characters that XML 1.0 allows nowhere, not even as character references (its "Char"
# production): C0 controls other than tab, line feed and carriage return, U+FFFE, U+FFFF,
# and lone surrogates (which could not be encoded as UTF-8 either).
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Character data: the markup characters escaped, characters XML 1.0 cannot carry dropped."""
    if _NOT_IN_XML.search(value):
        value = _NOT_IN_XML.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attribute(value: str) -> str:
    """A value to write between double quotes.

    As xml_text, plus the quote itself; tabs and line breaks become character references,
    since a parser turns literal ones in an attribute into spaces (as saxutils.quoteattr does).
    """
    return xml_text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def entry_title(event: FeedEvent) -> str:
    """Plain text (escaped once, as XML)."""
    if event.is_new:
        return f"New claim: {event.statement}"
    if event.kind == FeedEntry.CORRECTION:
        return f"Correction: {event.statement}"
    return f"{event.status.label}: {event.statement}"


def entry_summary(event: FeedEvent) -> str:
    """HTML: Atom's summary is written as type="html", so what editors typed is escaped as HTML (then as XML)."""
    lines = [f"Correction: {event.correction}"] if event.kind == FeedEntry.CORRECTION else []
    lines += [f"Claimant: {event.claimant}.", f"Status: {event.status.label}."]
    if event.previous_status is not None:
        lines.append(f"Previously: {event.previous_status.label}.")
    if event.verdict:
        lines.append(f"Why: {event.verdict}")
    return escape(" ".join(lines))


def latest_change(events: list[FeedEvent]) -> datetime:
    """The feed's <updated>: its newest entry, or now for an empty feed (as Django's Atom1Feed had it)."""
    return max((event.when for event in events), default=None) or datetime.now(tz=UTC)


def entry_xml(event: FeedEvent, author: str, tag_prefix: str) -> str:
    # history_date is aware (USE_TZ), so isoformat() is RFC 3339 with its offset.
    when = event.when.isoformat()
    link = absolute(slug_path("claim-detail", event.slug))
    # A tag URI (RFC 4151) as the id: stable even if the claim's slug changes later.
    guid = f"{tag_prefix}{event.claim_id}/change/{event.history_id}"
    return (
        f"<entry><title>{xml_text(entry_title(event))}</title>"
        f'<link href="{xml_attribute(link)}" rel="alternate"/>'
        f"<published>{when}</published><updated>{when}</updated>{author}"
        f"<id>{xml_text(guid)}</id>"
        f'<summary type="html">{xml_text(entry_summary(event))}</summary>'
        f'<category term="{xml_attribute(event.status.label)}"/></entry>'
    )


@functools.lru_cache(maxsize=4 * FEED_LENGTH)
def remembered_entry_xml(event: FeedEvent, author: str, tag_prefix: str, site_url: str, script_prefix: str) -> str:
    """entry_xml, remembered by everything the entry is made of (the addresses it links to included).

    An entry is a history row that never changes; the feed reads its rows on every request
    and writes only the entries it has not written before (a third of its Python time).
    """
    return entry_xml(event, author, tag_prefix)


def atom_feed(events: list[FeedEvent]) -> bytes:
    """The whole document, newest entry first, as UTF-8."""
    name = xml_text(settings.NEWSROOM_NAME)
    feed_url = absolute(reverse("claim-feed"))
    newsroom_uri = "" if settings.NEWSROOM_URL is None else f"<uri>{xml_text(settings.NEWSROOM_URL)}</uri>"
    language = get_language()
    language_attribute = "" if language is None else f' xml:lang="{xml_attribute(language)}"'
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n',
        f'<feed{language_attribute} xmlns="{ATOM_NAMESPACE}">',
        f"<title>{name}: claims tracked</title>",
        f'<link href="{xml_attribute(absolute(reverse("claim-list")))}" rel="alternate"/>',
        f'<link href="{xml_attribute(feed_url)}" rel="self"/>',
        f"<id>{xml_text(feed_url)}</id>",
        f"<updated>{latest_change(events).isoformat()}</updated>",
        f"<author><name>{name}</name>{newsroom_uri}</author>",
        "<subtitle>New claims, changes of status and corrections, as published on the claim tracker.</subtitle>",
    ]
    author = f"<author><name>{name}</name></author>"
    tag_prefix = f"tag:{urlsplit(settings.SITE_URL).hostname},2025:claim/"
    site_url, script_prefix = settings.SITE_URL, get_script_prefix()
    parts.extend(remembered_entry_xml(event, author, tag_prefix, site_url, script_prefix) for event in events)
    parts.append("</feed>")
    return "".join(parts).encode()


class ClaimEventsFeed:
    """The view of /claims/feed/; claims.urls wraps an instance in cache_public."""

    def __call__(self, request):
        events = recent_events()
        response = HttpResponse(atom_feed(events), content_type=CONTENT_TYPE)
        # As Django's Feed view did, for use without cache_public (which sets its own).
        response["Last-Modified"] = http_date(latest_change(events).timestamp())
        return response
