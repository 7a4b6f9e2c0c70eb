"""Small helpers for the public templates: status badges, deadlines, paging links, JSON-LD."""

import datetime
import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from claims.models import Claim, Comparator, Precision, Status

register = template.Library()

# As django.utils.html.json_script does: "<", ">" and "&" can end a <script> element
# or start a comment in HTML, so they are written as JSON unicode escapes.
_JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

_PRECISION_WORDS = {
    Precision.DAY: "on the day",
    Precision.MONTH: "end of the stated month",
    Precision.QUARTER: "end of the stated quarter",
    Precision.HALF: "end of the stated half-year",
    Precision.YEAR: "end of the stated year",
    Precision.DECADE: "end of the stated decade",
}


@register.simple_tag
def status_badge(status) -> str:
    """The status as text on a coloured badge: the colour repeats the words, never replaces them."""
    status = Status(status)
    return format_html('<span class="status status--{}">{}</span>', status.value, status.label)


@register.filter
def short_date(value: datetime.date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


@register.filter
def long_date(value: datetime.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


@register.filter
def precision_words(claim: Claim) -> str:
    return _PRECISION_WORDS.get(claim.deadline_precision, "")


@register.simple_tag
def deadline_summary(claim: Claim) -> str:
    """One line for lists: the deadline as written, and as a date when there is one."""
    written = claim.deadline_text
    if claim.deadline_end is None:
        return written or Precision(claim.deadline_precision).label
    date = short_date(claim.deadline_end)
    if written:
        return format_html('{} <span class="muted">({})</span>', written, date)
    return date


@register.simple_tag
def time_left(claim: Claim) -> str:
    """How the deadline stands today, in words; empty for closed or undated claims."""
    if not claim.is_open or claim.deadline_end is None:
        return ""
    days = claim.days_left
    if days < 0:
        n = -days
        return format_html('<span class="overdue">Overdue by {} day{}</span>', n, "" if n == 1 else "s")
    if days == 0:
        return format_html('<span class="due">Due today</span>')
    return format_html('<span class="due">{} day{} left</span>', days, "" if days == 1 else "s")


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current address with another page number (the filters kept)."""
    query = context["request"].GET.copy()
    if number <= 1:
        query.pop("page", None)
    else:
        query["page"] = number
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def ld_json(data) -> str:
    """A JSON-LD data block. CSP does not run data blocks; the escapes keep it from ending early."""
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


@register.filter
def target_words(claim: Claim) -> str:
    """'starting price: less than 20000 EUR' (the model's target_display uses the symbol)."""
    if not claim.has_target:
        return ""
    quantity = f"{claim.target_quantity}: " if claim.target_quantity else ""
    comparator = Comparator(claim.target_comparator).label
    return f"{quantity}{comparator} {claim.target_value.normalize():f} {claim.target_unit}".strip()


@register.filter
def percent(value) -> str:
    return "–" if value is None else f"{value}%"
