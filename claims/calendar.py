"""iCalendar (RFC 5545) feed of deadlines: one all-day event per open published claim.

The text is written here rather than through the ``icalendar`` package's object model:
building a few hundred events with it takes over 100 ms, and this feed is polled by
every subscribed calendar. Only three rules of the format matter for what we write,
and each has a helper below: TEXT escaping, CRLF line ends and folding lines longer
than 75 octets. The tests parse the result with ``icalendar``.

The UID of an event is the claim's primary key at the site's host, so it stays the same
when the statement, the deadline or the slug change: calendar apps update the event
instead of adding a second one.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from claims.models import Claim, newsroom_today

# Deadlines further back than this are left out: a subscribed calendar needs the
# recent past and the future, not every deadline ever missed.
PAST_DAYS = 92
MAX_EVENTS = 500

_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n", "\r": ""})


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped."""
    return value.translate(_TEXT_ESCAPES)


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character or an escape."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    pieces, current, size = [], [], 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            carry = []
            if current and current[-1] == "\\":
                carry = [current.pop()]
            pieces.append("".join(current))
            current, size = carry, sum(len(c.encode()) for c in carry)
            limit = 74  # continuation lines start with a space
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_claims(today: datetime.date | None = None):
    today = today or newsroom_today()
    return (
        Claim.objects.published()
        .open()
        .filter(deadline_end__gte=today - datetime.timedelta(days=PAST_DAYS))
        .select_related("claimant")
        .only(
            "id", "slug", "statement", "deadline_text", "deadline_end", "deadline_precision", "status",
            "published_at", "updated_at", "claimant__name",
        )
        .order_by("deadline_end", "id")[:MAX_EVENTS]
    )  # fmt: skip


def event_lines(claim: Claim, host: str) -> list[str]:
    url = settings.SITE_URL + reverse("claim-detail", kwargs={"slug": claim.slug})
    description = [f"Claim by {claim.claimant.name}: {claim.statement}"]
    if claim.deadline_text:
        description.append(f"Deadline as written: {claim.deadline_text}")
    description.append(f"Status: {claim.get_status_display()}")
    description.append(url)
    return [
        "BEGIN:VEVENT",
        f"UID:claim-{claim.pk}@{host}",
        f"DTSTAMP:{_utc(claim.updated_at)}",
        f"LAST-MODIFIED:{_utc(claim.updated_at)}",
        f"DTSTART;VALUE=DATE:{claim.deadline_end:%Y%m%d}",
        f"DTEND;VALUE=DATE:{claim.deadline_end + datetime.timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{escape_text(f'Deadline: {claim.claimant.name}: {claim.statement}')}",
        f"DESCRIPTION:{escape_text(chr(10).join(description))}",
        f"URL:{url}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


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
    for claim in claims:
        lines.extend(event_lines(claim, host))
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()
