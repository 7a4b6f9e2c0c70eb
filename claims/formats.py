"""How the workbench writes dates, times and targets: one format for the desk, the intake, the emails and the site.

A newsroom writes "2 December 2026" (no ambiguity between 12/2 and 2/12), a time with
its zone ("2 December 2026, 14:05 CET", in TIME_ZONE), and a target as a reader would
say it ("20,000 EUR", "< 15 min"), never the database's "20000.0000". Django's own
formats follow the same rules (factcheck/formats/en/formats.py), so the admin's columns,
read-only fields and history pages agree with what is written here.
"""

import datetime
from decimal import Decimal

from django.utils import timezone


def newsroom_date(value: datetime.date | None) -> str:
    """ "2 December 2026"; "" for no date."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.day} {value:%B %Y}"


def newsroom_datetime(value: datetime.datetime | None) -> str:
    """ "2 December 2026, 14:05 CET", in the newsroom's zone; "" for none."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.day} {value:%B %Y, %H:%M} {value:%Z}".rstrip()


# The one wording for a claim whose deadline has no date, on the site and in the desk.
NO_DATE = "no date given"

# Quotation marks a value may already carry (typed by an editor, or kept from the source).
_QUOTES = "\"'“”„‟«»‹›‘’‚"


def quoted(text: str) -> str:
    """“text”, in typographic quotes, never doubled: quotes the value already has at its ends are dropped first."""
    text = (text or "").strip()
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return f"“{text}”" if text else ""


def number(value: Decimal | int | float | None) -> str:
    """20000.0000 -> "20,000"; 1.50 -> "1.5"; grouped by thousands, no trailing zeros."""
    if value is None:
        return ""
    value = Decimal(value).normalize()
    if value == value.to_integral_value():
        return f"{value.to_integral_value():,f}"
    return f"{value:,f}"


def amount(value: Decimal | None, unit: str = "") -> str:
    """ "20,000 EUR", "15 min", "3" (no unit)."""
    if value is None:
        return ""
    return f"{number(value)} {unit}".strip()


def target(comparator: str, value: Decimal | None, unit: str = "", quantity: str = "", *, words: bool = False) -> str:
    """ "starting price < 20,000 EUR" (or "starting price: less than 20,000 EUR" with ``words``); "" for no target."""
    if not comparator or value is None:
        return ""
    from claims.models import Comparator  # models import this module (Claim.target_display)

    sign = Comparator(comparator).label if words else comparator
    lead = (f"{quantity}: " if words else f"{quantity} ") if quantity else ""
    return f"{lead}{sign} {amount(value, unit)}".strip()
