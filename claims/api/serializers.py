"""The API's representation of a claim. Field names are a contract: add fields, never rename.

Two ways lead to the same dictionary, and tests/test_public_api_fast.py checks that they do,
key for key and in order, for claims of every kind:

- The declared fields, each with its source, are the contract. drf-spectacular builds the
  OpenAPI document from them, and DRF's own field-by-field rendering of them
  (``declared_representation``) is the reference output.
- ``to_representation`` builds the dictionary by hand from a ClaimRow, the flat tuple of
  columns that the list reads with ``values_list``. A page of 50 claims as model instances
  (three per claim, each sending init signals) and DRF's per-field calls cost about 4 ms,
  twice the page's SQL; the rows and plain dictionaries cost a fraction of that.

Dates are ISO 8601, times in UTC; decimal numbers are strings, so that no client rounds them.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple
from urllib.parse import quote

from django.db.models.query import ValuesListIterable
from django.urls import reverse
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from claims.models import Claim, Claimant, Comparator, Precision, Source, Status, Update, newsroom_today
from claims.views.base import absolute, slug_path


def decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# The declared contract. Fields whose output DRF does not provide as such are small field
# classes, so that the reference rendering needs no hand-written code either.


class DecimalTextField(serializers.CharField):
    """A decimal as a string without trailing zeros: "1000", not the column's "1000.0000"."""

    def to_representation(self, value):
        return decimal_text(value)


class PageURLField(serializers.URLField):
    """The absolute address of a public page, from the slug in its URL pattern (the source)."""

    def __init__(self, url_name: str, **kwargs):
        self.url_name = url_name
        kwargs.setdefault("source", "slug")
        super().__init__(**kwargs)

    def to_representation(self, slug):
        return absolute(reverse(self.url_name, kwargs={"slug": slug}))


class ClaimantSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()
    kind = serializers.ChoiceField(choices=Claimant.Kind.choices)
    url = serializers.URLField(allow_blank=True, help_text="The claimant's own website, if known.")
    page_url = PageURLField("claimant-detail", help_text="The claimant's track record on this site.")


class SourceSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.URLField(allow_blank=True)
    publisher = serializers.CharField(allow_blank=True)
    published_on = serializers.DateField(allow_null=True)


class DeadlineSerializer(serializers.Serializer):
    text = serializers.CharField(source="deadline_text", allow_blank=True, help_text='As written, e.g. "by 2026".')
    start = serializers.DateField(source="deadline_start", allow_null=True)
    end = serializers.DateField(
        source="deadline_end", allow_null=True, help_text="The last day that still counts as on time."
    )
    precision = serializers.ChoiceField(source="deadline_precision", choices=Precision.choices)
    precision_label = serializers.CharField(source="get_deadline_precision_display")


class TargetSerializer(serializers.Serializer):
    quantity = serializers.CharField(source="target_quantity", allow_blank=True)
    comparator = serializers.ChoiceField(source="target_comparator", choices=Comparator.choices)
    value = DecimalTextField(source="target_value", help_text="A decimal number, as a string.")
    unit = serializers.CharField(source="target_unit", allow_blank=True)
    display = serializers.CharField(source="target_display", help_text='e.g. "starting price < 20,000 EUR".')

    def get_attribute(self, claim):
        # The target is a group of the claim's own columns (source="*"); without one it is null.
        return claim if claim.has_target else None


class RightOfReplySerializer(serializers.Serializer):
    asked_on = serializers.DateField(source="reply_requested_on", help_text="When the claimant was asked for comment.")
    replied_on = serializers.DateField(source="reply_on", allow_null=True)
    text = serializers.CharField(source="reply_text", allow_blank=True, help_text="Their reply, quoted or summed up.")
    url = serializers.URLField(source="reply_url", allow_blank=True, help_text="Their reply in full, when online.")
    no_reply_by = serializers.DateField(allow_null=True, help_text="No reply had come by this day.")

    def get_attribute(self, claim):
        # The claim's own columns (source="*"); null while the claimant was not asked.
        return claim if claim.reply_requested_on is not None else None


class ClaimSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    url = PageURLField("claim-detail", help_text="The claim's page on this site.")
    api_url = PageURLField("api-claim-detail")
    statement = serializers.CharField()
    quote = serializers.CharField(allow_blank=True)
    claimant = ClaimantSerializer()
    source = SourceSerializer()
    deadline = DeadlineSerializer(source="*")
    target = TargetSerializer(source="*", allow_null=True)
    actual_value = DecimalTextField(allow_null=True, help_text="The measured outcome (a decimal), once known.")
    target_met = serializers.BooleanField(allow_null=True)
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    status_definition = serializers.CharField(help_text="What the status means (as on /methodology/).")
    is_open = serializers.BooleanField()
    is_overdue = serializers.BooleanField()
    resolved_on = serializers.DateField(allow_null=True)
    verdict = serializers.CharField(allow_blank=True)
    published_at = serializers.DateTimeField(default_timezone=datetime.UTC)
    right_of_reply = RightOfReplySerializer(
        source="*", allow_null=True, help_text="The claimant's right of reply; null while they were not asked."
    )

    def declared_representation(self, claim: Claim) -> dict:
        """DRF's own rendering of the declared fields: what the fast path must equal."""
        return serializers.Serializer.to_representation(self, claim)

    def to_representation(self, claim: "Claim | ClaimRow") -> dict:
        row = claim if isinstance(claim, ClaimRow) else ClaimRow.of(claim)
        return claim_data(row, self._page)

    @property
    def _page(self) -> "PageContext":
        # One per response (a list's rows share its serializer): see PageContext.
        if not hasattr(self, "_page_context"):
            self._page_context = PageContext.current()
        return self._page_context


class UpdateSerializer(serializers.Serializer):
    date = serializers.DateField()
    summary = serializers.CharField()
    url = serializers.URLField(allow_blank=True)
    status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, help_text="Set when it moved the claim.")
    status_label = serializers.CharField(source="get_status_display", allow_blank=True)


class AppearanceSerializer(serializers.Serializer):
    source = SourceSerializer()
    quote = serializers.CharField(allow_blank=True)


class ClaimDetailSerializer(ClaimSerializer):
    updates = UpdateSerializer(many=True, source="public_updates", help_text="The public timeline, oldest first.")
    appearances = AppearanceSerializer(
        many=True, source="public_appearances", help_text="Further sources that repeated the claim."
    )

    def to_representation(self, claim: Claim) -> dict:
        data = super().to_representation(claim)
        data["updates"] = [update_data(update) for update in claim.public_updates]
        data["appearances"] = [{"source": source_data(a.source), "quote": a.quote} for a in claim.public_appearances]
        return data


# The fast path.


class ClaimRow(NamedTuple):
    """The columns the API shows of a claim, its claimant (claimant_*) and its source (source_*)."""

    slug: str
    statement: str
    quote: str
    deadline_text: str
    deadline_start: datetime.date | None
    deadline_end: datetime.date | None
    deadline_precision: str
    target_quantity: str
    target_comparator: str
    target_value: Decimal | None
    target_unit: str
    actual_value: Decimal | None
    status: str
    resolved_on: datetime.date | None
    verdict: str
    published_at: datetime.datetime
    reply_requested_on: datetime.date | None
    reply_on: datetime.date | None
    reply_text: str
    reply_url: str
    no_reply_by: datetime.date | None
    claimant_name: str
    claimant_slug: str
    claimant_kind: str
    claimant_url: str
    source_title: str
    source_url: str
    source_publisher: str
    source_published_on: datetime.date | None

    # The model's own properties (they read only columns above), so that the API cannot
    # work out a target differently from the claim page.
    has_target = Claim.has_target
    target_display = Claim.target_display
    target_met = Claim.target_met
    status_definition = Claim.status_definition

    @classmethod
    def of(cls, claim: Claim) -> "ClaimRow":
        return cls._make(_read_from_instance(claim))


CLAIM_COLUMNS = tuple(
    name.replace("_", "__", 1) if name.startswith(("claimant_", "source_")) else name for name in ClaimRow._fields
)
_read_from_instance = attrgetter(*(column.replace("__", ".") for column in CLAIM_COLUMNS))


class _ClaimRows(ValuesListIterable):
    def __iter__(self):
        return map(ClaimRow._make, super().__iter__())


def claim_rows(queryset):
    """``queryset`` as ClaimRow tuples, read with one query; it still filters, orders and slices as usual.

    Made by values_list's own iterator (Django's ``_iterable_class`` hook, as
    ``values_list(named=True)`` uses), as claims.views.base.listed_claims does for the list page.
    Only these columns are read: never the internal notes, assignee or article text.
    """
    rows = queryset.values_list(*CLAIM_COLUMNS)
    rows._iterable_class = _ClaimRows
    return rows


_STATUS = {status.value: (status.label, status.is_open, status.definition) for status in Status}
_PRECISION_LABELS = {precision.value: precision.label for precision in Precision}
_SLUG_MARK = "slug-placeholder"
_UNSAFE_IN_PATH = re.compile(r"[^A-Za-z0-9_.~-]").search  # quote()'s always-safe characters


@dataclass(frozen=True)
class PageContext:
    """What every claim of one response shares: today's date and the page addresses around a slug.

    Read once per response instead of per claim: today's date, the script prefix and
    SITE_URL each cost microseconds to read, and a claim has three URLs. Equal contexts
    make equal JSON of equal rows, so it is part of the key under which claim_json keeps a row.
    """

    today: datetime.date
    claim_url: tuple[str, str]
    api_url: tuple[str, str]
    claimant_url: tuple[str, str]

    @classmethod
    def current(cls) -> "PageContext":
        around = cls._around_slug
        return cls(newsroom_today(), around("claim-detail"), around("api-claim-detail"), around("claimant-detail"))

    @staticmethod
    def _around_slug(url_name: str) -> tuple[str, str]:
        head, _mark, tail = absolute(slug_path(url_name, _SLUG_MARK)).partition(_SLUG_MARK)
        return head, tail


def _in_path(slug: str) -> str:
    # Percent-encoded as reverse() does: slugs need none, but bulk-written rows are not
    # validated. quote() costs a microsecond even when it changes nothing.
    return quote(slug, safe="") if _UNSAFE_IN_PATH(slug) else slug


def claim_data(row: ClaimRow, page: PageContext) -> dict:
    status_label, is_open, status_definition = _STATUS[row.status]
    slug = _in_path(row.slug)
    claimant_slug = _in_path(row.claimant_slug)
    target = None
    if row.has_target:
        target = {
            "quantity": row.target_quantity,
            "comparator": row.target_comparator,
            "value": decimal_text(row.target_value),
            "unit": row.target_unit,
            "display": row.target_display,
        }
    return {
        "slug": row.slug,
        "url": f"{page.claim_url[0]}{slug}{page.claim_url[1]}",
        "api_url": f"{page.api_url[0]}{slug}{page.api_url[1]}",
        "statement": row.statement,
        "quote": row.quote,
        "claimant": {
            "name": row.claimant_name,
            "slug": row.claimant_slug,
            "kind": row.claimant_kind,
            "url": row.claimant_url,
            "page_url": f"{page.claimant_url[0]}{claimant_slug}{page.claimant_url[1]}",
        },
        "source": {
            "title": row.source_title,
            "url": row.source_url,
            "publisher": row.source_publisher,
            "published_on": _date(row.source_published_on),
        },
        "deadline": {
            "text": row.deadline_text,
            "start": _date(row.deadline_start),
            "end": _date(row.deadline_end),
            "precision": row.deadline_precision,
            "precision_label": _PRECISION_LABELS[row.deadline_precision],
        },
        "target": target,
        "actual_value": decimal_text(row.actual_value),
        "target_met": row.target_met if target is not None else None,
        "status": row.status,
        "status_label": status_label,
        "status_definition": status_definition,
        "is_open": is_open,
        # Claim.is_overdue, with today's date read once per page.
        "is_overdue": is_open and row.deadline_end is not None and row.deadline_end < page.today,
        "resolved_on": _date(row.resolved_on),
        "verdict": row.verdict,
        "published_at": row.published_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "right_of_reply": None
        if row.reply_requested_on is None
        else {
            "asked_on": row.reply_requested_on.isoformat(),
            "replied_on": _date(row.reply_on),
            "text": row.reply_text,
            "url": row.reply_url,
            "no_reply_by": _date(row.no_reply_by),
        },
    }


_RENDERER = JSONRenderer()


@functools.lru_cache(maxsize=2048)
def claim_json(row: ClaimRow, page: PageContext) -> bytes:
    """claim_data as the API's JSONRenderer writes it, remembered by the row's values and the page context.

    The list reads its rows on every request, and the first pages show the same rows
    again and again; building and encoding their dictionaries was a third of its Python
    time. A changed row, another day or other addresses make another key. About 2 KB a
    row with its key: a few megabytes per process.
    """
    return _RENDERER.render(claim_data(row, page))


def source_data(source: Source) -> dict:
    return {
        "title": source.title,
        "url": source.url,
        "publisher": source.publisher,
        "published_on": _date(source.published_on),
    }


def update_data(update: Update) -> dict:
    return {
        "date": update.date.isoformat(),
        "summary": update.summary,
        "url": update.url,
        "status": update.status,
        "status_label": Status(update.status).label if update.status else "",
    }
