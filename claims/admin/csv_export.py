"""The claim list's "Export as CSV": every selected claim, with formulas neutralised for spreadsheets."""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone

from claims.models import Claim
from claims.spreadsheets import text_cell


def response(queryset) -> StreamingHttpResponse:
    """Streams the claims of ``queryset`` as CSV."""
    rows = queryset.with_people().order_by("deadline_end", "id").iterator(chunk_size=2000)
    echo = _Echo()
    writer = csv.writer(echo)

    def lines():
        yield writer.writerow(COLUMNS)
        for claim in rows:
            yield writer.writerow(row(claim))

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    streamed = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    streamed["Content-Disposition"] = f'attachment; filename="claims-{stamp}.csv"'
    return streamed


COLUMNS = [
    "slug", "statement", "quote", "claimant", "source_title", "source_url", "deadline_text", "deadline_start",
    "deadline_end", "deadline_precision", "target_quantity", "target_comparator", "target_value", "target_unit",
    "actual_value", "status", "status_label", "resolved_on", "verdict", "notes", "assignee", "published_at",
]  # fmt: skip


def _value_cell(value) -> str:
    """Numbers, dates and our own codes are written as they are (a negative target stays a number)."""
    return "" if value is None else str(value)


def row(claim: Claim) -> list[str]:
    t, v = text_cell, _value_cell
    return [
        v(claim.slug), t(claim.statement), t(claim.quote), t(claim.claimant.name), t(claim.source.title),
        t(claim.source.url), t(claim.deadline_text), v(claim.deadline_start), v(claim.deadline_end),
        v(claim.deadline_precision), t(claim.target_quantity), v(claim.target_comparator), v(claim.target_value),
        t(claim.target_unit), v(claim.actual_value), v(claim.status), v(claim.get_status_display()),
        v(claim.resolved_on), t(claim.verdict), t(claim.notes),
        t(claim.assignee.get_username()) if claim.assignee else "", v(claim.published_at),
    ]  # fmt: skip


class _Echo:
    def write(self, value):
        return value
