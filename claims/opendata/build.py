"""The open data documents, written from one streaming query of published claims.

Each claim is the API's own dictionary (claims.api.serializers.claim_data), so the files
show exactly what the API shows and nothing else: never notes, assignees or drafts.
The CSV flattens it to one column per leaf (``claimant_name``, ``deadline_end``, ...);
``CSV_COLUMNS`` is its contract, documented in docs/data.md: columns are added at the
end, never renamed or removed. Claims are in id order, so a new claim is appended and a
diff between two downloads shows what changed. Nothing in the files depends on when
they were written (the time is in the manifest and Last-Modified), so an unchanged
register writes the same bytes, and the same ETag.
"""

import csv
import io
import json
from collections.abc import Iterator

from django.conf import settings

from claims.api.serializers import PageContext, claim_data, claim_rows
from claims.models import Claim
from claims.spreadsheets import text_cell

SCHEMA_VERSION = 1
FORMATS = ("csv", "json")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
BATCH = 2000

CSV_COLUMNS = (
    "slug", "url", "api_url", "statement", "quote",
    "claimant_name", "claimant_slug", "claimant_kind", "claimant_url", "claimant_page_url",
    "source_title", "source_url", "source_publisher", "source_published_on",
    "deadline_text", "deadline_start", "deadline_end", "deadline_precision", "deadline_precision_label",
    "target_quantity", "target_comparator", "target_value", "target_unit", "target_display",
    "actual_value", "target_met", "status", "status_label", "is_open", "is_overdue",
    "resolved_on", "verdict", "published_at",
)  # fmt: skip


def license_info() -> dict:
    return {"name": settings.DATA_LICENSE, "url": settings.DATA_LICENSE_URL}


def claims() -> Iterator[dict]:
    """Every published claim as the API shows it, in id order."""
    page = PageContext.current()
    rows = claim_rows(Claim.objects.published().order_by("id"))
    for row in rows.iterator(chunk_size=BATCH):
        yield claim_data(row, page)


# Free text people typed or copied from articles: a leading "=", "+", "-" or "@" is quoted
# with "'" (claims.spreadsheets), or a spreadsheet opening the file would run it as a
# formula. Numbers, dates, slugs and our own addresses are written as they are ("-5" stays).
TEXT_COLUMNS = frozenset(
    "statement quote claimant_name source_title source_publisher deadline_text target_quantity target_unit "
    "target_display actual_value verdict".split()
)


def _flat(claim: dict) -> list:
    values = dict(claim)
    for group in ("claimant", "source", "deadline"):
        for key, value in values.pop(group).items():
            values[f"{group}_{key}"] = value
    target = values.pop("target") or {}
    for key in ("quantity", "comparator", "value", "unit", "display"):
        values[f"target_{key}"] = target.get(key)
    return [text_cell(_cell(values[c])) if c in TEXT_COLUMNS else _cell(values[c]) for c in CSV_COLUMNS]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(out) -> None:
    """The CSV to ``out``, a binary file: UTF-8, a header row, one claim a row, RFC 4180 quoting."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for claim in claims():
        writer.writerow(_flat(claim))
    text.detach()


def write_json(out) -> None:
    """The JSON to ``out``, a binary file: metadata (licence, schema), then ``claims``, one a line."""
    head = {
        "schema_version": SCHEMA_VERSION,
        "schema": settings.SITE_URL + "/data/#schema",
        "publisher": settings.NEWSROOM_NAME,
        "license": license_info(),
        "source": settings.SITE_URL + "/",
    }
    out.write(json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "claims": [')
    for n, claim in enumerate(claims()):
        out.write((",\n" if n else "\n").encode() + json.dumps(claim, ensure_ascii=False).encode())
    out.write(b"\n]}\n")


WRITERS = {"csv": write_csv, "json": write_json}


def write(format: str, out) -> None:
    WRITERS[format](out)
