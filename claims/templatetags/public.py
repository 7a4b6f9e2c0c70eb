"""Small helpers for the public templates: status badges, deadlines, claim lists, paging links, JSON-LD.

Lists of claims are written here in Python rather than by including a template per row:
a row through the template engine costs dozens of variable lookups and two reverse()
calls, which on a page of 25 claims was most of the time it took to answer.
"""

import datetime
import functools
import html
import json
from urllib.parse import urlencode

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe

from claims import formats
from claims.models import Claim, Precision, Status, newsroom_today
from claims.views.base import ListedClaim, slug_path

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


OPEN_STATUSES = frozenset(Status.open_values())


def _text(value) -> str:
    """HTML-escaped text (quotes too), as Django's escape() but without its lazy-string wrapper."""
    return html.escape(str(value))


# Status labels are fixed text of ours, so each badge is built once.
_BADGES = {
    status.value: f'<span class="status status--{status.value}">{_text(status.label)}</span>' for status in Status
}


@register.simple_tag
def status_badge(status) -> str:
    """The status as text on a coloured badge: the colour repeats the words, never replaces them."""
    return mark_safe(_BADGES[Status(status).value])


def claim_item(claim: ListedClaim, today: datetime.date) -> str:
    """One claim of a list. Every value from the database goes through _text (HTML-escaped)."""
    claim_href, claimant_href = (
        _text(slug_path("claim-detail", claim.slug)),
        _text(slug_path("claimant-detail", claim.claimant_slug)),
    )
    left = _time_left(claim, today)
    outcome = ""
    if claim.resolved_on and claim.status not in OPEN_STATUSES:
        outcome = f" · Outcome: {short_date(claim.resolved_on)}"
    return (
        f'<li class="claim-item"><p class="claim-item-status">{_BADGES[claim.status]}{" " + left if left else ""}</p>'
        f'<p class="claim-item-statement"><a href="{claim_href}">'
        f"{_text(claim.statement)}</a></p>"
        f'<p class="claim-item-meta"><a href="{claimant_href}">{_text(claim.claimant_name)}</a>'
        f" · Deadline: {_deadline_summary(claim)}{outcome}</p></li>"
    )


@functools.lru_cache(maxsize=2048)
def remembered_claim_item(claim: ListedClaim, today: datetime.date, script_prefix: str) -> str:
    """claim_item, remembered by everything the row is made of: the row's values, the day, the address prefix.

    Lists read their rows on every request; the hot ones (the first pages, the overview)
    show the same rows again and again, and a changed row is another key.
    """
    return claim_item(claim, today)


@functools.lru_cache(maxsize=64)
def _fixed_path(url_name: str, script_prefix: str) -> str:
    return reverse(url_name)


@register.simple_tag
def path(url_name: str) -> str:
    """{% url %} for the site's fixed addresses (navigation, feeds), resolved once per process."""
    return _fixed_path(url_name, get_script_prefix())


@register.simple_tag
def claim_path(slug: str) -> str:
    """The address of a published claim's page, from its slug."""
    return slug_path("claim-detail", slug)


@register.simple_tag
def claim_items(claims, start: int = 1) -> SafeString:
    """An ordered list of claims: status in words, statement, claimant, deadline, outcome."""
    if not claims:
        return mark_safe("")
    today, script_prefix = newsroom_today(), get_script_prefix()
    items = "".join(remembered_claim_item(claim, today, script_prefix) for claim in claims)
    start_attribute = f' start="{int(start)}"' if start != 1 else ""
    return mark_safe(f'<ol class="claim-list"{start_attribute}>{items}</ol>')


@register.simple_tag
def select_options(choices, selected) -> SafeString:
    """<option> elements for (value, label) pairs, the selected one marked (values compared as text)."""
    selected = "" if selected is None else str(selected)
    return mark_safe(
        "".join(
            f'<option value="{_text(value)}"{" selected" if str(value) == selected else ""}>{_text(label)}</option>'
            for value, label in choices
        )
    )


@register.filter
def short_date(value: datetime.date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


@register.filter
def long_date(value: datetime.date | None) -> str:
    return formats.newsroom_date(value)


@register.filter
def quoted(text: str) -> str:
    """“text”, never with its quotation marks doubled (claims.formats.quoted)."""
    return formats.quoted(text)


@register.simple_tag
def no_date() -> str:
    """The one wording for a deadline with no date."""
    return formats.NO_DATE


@register.filter
def precision_words(claim: Claim) -> str:
    return _PRECISION_WORDS.get(claim.deadline_precision, "")


def _deadline_summary(claim: Claim | ListedClaim) -> str:
    """One line for lists: the deadline as written, and as a date when there is one (HTML)."""
    written = _text(claim.deadline_text)
    if claim.deadline_end is None:
        return f'{written} <span class="muted">({formats.NO_DATE})</span>' if written else formats.NO_DATE
    date = short_date(claim.deadline_end)
    return f'{written} <span class="muted">({date})</span>' if written else date


def _time_left(claim: Claim | ListedClaim, today: datetime.date) -> str:
    if claim.status not in OPEN_STATUSES or claim.deadline_end is None:
        return ""
    days = (claim.deadline_end - today).days
    if days < 0:
        return f'<span class="overdue">Overdue by {-days} day{"" if days == -1 else "s"}</span>'
    if days == 0:
        return '<span class="due">Due today</span>'
    return f'<span class="due">{days} day{"" if days == 1 else "s"} left</span>'


@register.simple_tag
def time_left(claim: Claim | ListedClaim) -> SafeString:
    """How the deadline stands today, in words; empty for closed or undated claims."""
    return mark_safe(_time_left(claim, newsroom_today()))


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    """The current address with another page number (the filters kept)."""
    # As QueryDict.copy() and urlencode() would, with the page in its place (or last), without
    # the deep copy of every value that copy() makes.
    page = [("page", str(number))] if number > 1 else []
    pairs = []
    for key, values in context["request"].GET.lists():
        if key == "page":
            pairs += page
            page = []
        else:
            pairs += [(key, value) for value in values]
    encoded = urlencode(pairs + page)
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
    """'starting price: less than 20,000 EUR' (the model's target_display uses the symbol)."""
    if not claim.has_target:
        return ""
    return formats.target(
        claim.target_comparator, claim.target_value, claim.target_unit, claim.target_quantity, words=True
    )


@register.filter
def measured(claim: Claim) -> str:
    """The actual value with the target's unit: '18,990 EUR'."""
    return formats.amount(claim.actual_value, claim.target_unit)


@register.filter
def percent(value) -> str:
    return "–" if value is None else f"{value}%"
