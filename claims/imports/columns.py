"""The spreadsheet's columns, and how a cell is read: one function per kind, each raising an error in words.

The file is a contract with the desks that edit it in a spreadsheet: columns are added,
never renamed (docs/data.md). Cells come from CSV as text and from XLSX as numbers,
dates and text; both read the same way. An error names the row, the column and the
value: "row 14: deadline_end 'Q5 2026' is not a date (write YYYY-MM-DD)".
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from claims.models import Claimant, Comparator, Precision, Status

# In file order. "version" is the claim's version when the sheet was exported: a row whose
# claim has changed since is refused rather than written over the change (claims.versions).
# "target" is the target as words ("under 20,000 EUR"): read by the intake's
# target parser only when the structured target columns are empty; exported as shown to readers.
COLUMNS = (
    "slug",
    "statement",
    "quote",
    "claimant",
    "claimant_kind",
    "claimant_url",
    "source_title",
    "source_url",
    "source_publisher",
    "source_published_on",
    "deadline_text",
    "deadline_start",
    "deadline_end",
    "deadline_precision",
    "target",
    "target_quantity",
    "target_comparator",
    "target_value",
    "target_unit",
    "actual_value",
    "status",
    "resolved_on",
    "verdict",
    "notes",
    "version",
)

# The claim's own columns that an import writes as they are read.
TEXT_FIELDS = ("statement", "quote", "deadline_text", "target_quantity", "target_unit", "verdict", "notes")


class RowErrors:
    """The errors of one row, collected column by column, raised together."""

    def __init__(self, row_number: int):
        self.row_number = row_number
        self.errors: dict[str, list[str]] = {}

    def add(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(f"row {self.row_number}: {message}")

    def read(self, column: str, reader, value):
        """``reader(value)``, or None with the error recorded under ``column``."""
        try:
            return reader(value)
        except ValueError as error:
            self.add(column, f"{column} {quoted(value)} {error}")
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def version(value) -> int | None:
    if text(value) == "":
        return None
    try:
        return int(text(value))
    except ValueError:
        raise ValueError("is not a version number (leave the exported number as it is)") from None


def quoted(value) -> str:
    text = str(value)
    return "'" + (text if len(text) <= 60 else text[:59] + "…") + "'"


def text(value) -> str:
    """A cell as text: empty cells (None) are "", numbers from XLSX as written ("2026", not "2026.0")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def date(value) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(text(value))
    except ValueError:
        pass
    try:
        return datetime.datetime.fromisoformat(text(value)).date()
    except ValueError:
        raise ValueError("is not a date (write YYYY-MM-DD)") from None


def decimal(value) -> Decimal | None:
    if value is None or text(value) == "":
        return None
    try:
        number = Decimal(text(value).replace(",", ""))
    except InvalidOperation:
        raise ValueError("is not a number") from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 16:
        raise ValueError("is not a number the register can keep")
    return number


def _choice(choices, what: str):
    by_value = {choice.value: choice.value for choice in choices}
    by_label = {str(choice.label).lower(): choice.value for choice in choices}

    def read(value) -> str:
        word = text(value)
        found = by_value.get(word) or by_value.get(word.lower()) or by_label.get(word.lower())
        if found is None:
            raise ValueError(f"is not {what} (one of: {', '.join(by_value)})")
        return found

    return read


status = _choice(Status, "a status")
precision = _choice(Precision, "a deadline precision")
comparator = _choice(Comparator, "a comparator")
claimant_kind = _choice(Claimant.Kind, "a kind of claimant")
