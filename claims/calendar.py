"""iCalendar (RFC 5545) feed of deadlines: one all-day event per open published claim.

The text is written here rather than through the ``icalendar`` package's object model:
building a few hundred events with it takes over 100 ms, and this feed is polled by
every subscribed calendar. Only three rules of the format matter for what we write,
and each has a helper below: TEXT escaping, CRLF line ends and folding lines longer
than 75 octets. The tests parse the result with ``icalendar``.

DTSTAMP and LAST-MODIFIED are when readers last saw the claim change
(``Claim.public_changed_at``), not ``updated_at``, which also moves when an editor only
writes a note.

The UID of an event is the claim's primary key at the site's host, so it stays the same
when the statement, the deadline or the slug change: calendar apps update the event
instead of adding a second one.
"""

import datetime
import functools
import operator
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import CharField, Func
from django.urls import get_script_prefix

from claims import compiled
from claims.models import Claim, Status, last_public_change, newsroom_today
from claims.views.base import slug_path

# Which deadlines a subscribed calendar gets: the next UPCOMING_EVENTS from today, and the
# latest PAST_EVENTS of those missed in the last PAST_DAYS (still open, so overdue). Both
# are bounded: with hundreds of thousands of open claims a calendar of all of them would
# be megabytes that calendar apps poll every few hours, and ordering a window by date
# from its oldest end would fill it with old overdue deadlines and leave out the future.
# 160 events are about 80 KB: a cached response of 100 KB or more cost measurably more
# to send than the ones of the pages (docs/benchmarks.md).
UPCOMING_EVENTS = 120
PAST_EVENTS = 40
PAST_DAYS = 92

# Events remembered in each process (about 500 bytes each): a few calendars' worth.
EVENTS_KEPT = 4 * (UPCOMING_EVENTS + PAST_EVENTS)

STATUS_LABELS = {status.value: status.label for status in Status}


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped.

    Chained replace() rather than str.translate with a table: for these five characters
    it is several times faster, and a calendar escapes two values per event.
    """
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n").replace("\r", "")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character or after a backslash."""
    if len(line) <= 75 and line.isascii():
        return line  # most lines: one octet per character, and short
    data = line.encode()
    if len(data) <= 75:
        return line
    pieces, start, limit = [], 0, 75
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: step back to the character's start
            end -= 1
        if data[end - 1] == 0x5C:  # keep an escape (backslash and its letter) on one line
            end -= 1
        pieces.append(data[start:end])
        start, limit = end, 74  # continuation lines begin with a space
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode()


class CalendarRow(NamedTuple):
    """What an event is made of; ``stamp`` is the claim's last public change as iCalendar text (see ICalStamp)."""

    id: int
    slug: str
    statement: str
    deadline_text: str
    deadline_end: datetime.date
    status: str
    stamp: str
    claimant_name: str


_BY_DATE = operator.itemgetter(4, 0)  # deadline_end, id


def calendar_claims(today: datetime.date | None = None) -> list[CalendarRow]:
    """The events' rows, by deadline (two index walks joined by UNION ALL: compiled.union_rows).

    Tuples, because hundreds of model instances would cost more than the text; they are
    also the key under which each event's text is remembered (event_text).
    """
    today = today or newsroom_today()
    # Its SQL changes once a day: built and compiled once per day and connection (claims.compiled).
    key = (today, UPCOMING_EVENTS, PAST_EVENTS)
    rows = compiled.union_rows("calendar", key, lambda: _upcoming(today), lambda: _overdue(today))
    return sorted(map(CalendarRow._make, rows), key=_BY_DATE)


class ICalStamp(Func):
    """A moment as iCalendar's UTC DATE-TIME text (20261126T093000Z), written by the database.

    Django's loader of timestamptz values is psycopg's parser in Python (to attach the
    time zone): for the calendar's 160 rows it cost more than the rest of reading them,
    only for each moment to be formatted back into text.
    """

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        template = """to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"')"""
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Stored as UTC text, "2026-11-26 09:30:00[.ffffff]".
        template = "replace(replace(replace(substr(%(expressions)s, 1, 19), '-', ''), ':', ''), ' ', 'T') || 'Z'"
        return self.as_sql(compiler, connection, template=template, **extra)


_FIELDS = ("id", "slug", "statement", "deadline_text", "deadline_end", "status", "stamp", "claimant__name")


def _upcoming(today: datetime.date):
    claims = Claim.objects.published().open().filter(deadline_end__gte=today).order_by("deadline_end", "id")
    return claims.annotate(stamp=ICalStamp(last_public_change())).values_list(*_FIELDS)[:UPCOMING_EVENTS]


def _overdue(today: datetime.date):
    since = today - datetime.timedelta(days=PAST_DAYS)
    claims = Claim.objects.published().open().filter(deadline_end__lt=today, deadline_end__gte=since)
    claims = claims.order_by("-deadline_end", "-id")
    return claims.annotate(stamp=ICalStamp(last_public_change())).values_list(*_FIELDS)[:PAST_EVENTS]


def event_lines(claim: CalendarRow, host: str, site_url: str) -> list[str]:
    url = site_url + slug_path("claim-detail", claim.slug)
    # The statement and the claimant are the event's title (SUMMARY); the notes add the rest
    # rather than repeat them (a subscribed calendar is fetched whole, every few hours).
    description = []
    if claim.deadline_text:
        description.append(f"Deadline as written: {claim.deadline_text}")
    description.append(f"Status: {STATUS_LABELS[claim.status]}")
    description.append(url)
    return [
        "BEGIN:VEVENT",
        f"UID:claim-{claim.id}@{host}",
        f"DTSTAMP:{claim.stamp}",
        f"LAST-MODIFIED:{claim.stamp}",
        f"DTSTART;VALUE=DATE:{claim.deadline_end:%Y%m%d}",
        _end(claim.deadline_end),
        f"SUMMARY:{escape_text(f'Deadline: {claim.claimant_name}: {claim.statement}')}",
        f"DESCRIPTION:{escape_text(chr(10).join(description))}",
        f"URL:{url}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def _end(day: datetime.date) -> str:
    """The end of an all-day event: the next day, or a day's duration for the calendar's last day.

    The register refuses deadlines after 2200, but a row written around it may hold
    9999-12-31, whose next day does not exist; RFC 5545 reads both forms the same.
    """
    if day == datetime.date.max:
        return "DURATION:P1D"
    return f"DTEND;VALUE=DATE:{day + datetime.timedelta(days=1):%Y%m%d}"


def deadlines_calendar(claims) -> bytes:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{escape_text(settings.NEWSROOM_NAME)}//factcheck claim deadlines//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(f'{settings.NEWSROOM_NAME}: claim deadlines')}",
        f"X-WR-TIMEZONE:{settings.TIME_ZONE}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ]
    site_url, script_prefix = settings.SITE_URL, get_script_prefix()
    events = [event_text(claim, host, site_url, script_prefix) for claim in claims]
    return ("\r\n".join([*map(fold, lines), *events, "END:VCALENDAR"]) + "\r\n").encode()


@functools.lru_cache(maxsize=EVENTS_KEPT)
def event_text(claim: CalendarRow, host: str, site_url: str, script_prefix: str) -> str:
    """An event's folded lines, remembered by everything they are made of.

    The key is the claim's row itself (with its last public change) and the addresses the
    text uses: a change to any of them makes another key, so a remembered event is never
    out of date. Writing the events was most of the calendar's time (8 of 17 ms for 160
    events at a million claims); every calendar request reads the rows all the same.
    """
    return "\r\n".join(map(fold, event_lines(claim, host, site_url)))
