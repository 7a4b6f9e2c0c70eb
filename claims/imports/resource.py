"""Importing a spreadsheet of claims: what each row becomes, written through claims.services.

Guarantees, each held here rather than by the admin's pages:

- **All or nothing.** The whole file is read in one transaction, each row in a savepoint;
  a row with an error leaves the transaction rolled back, so the preview shows every
  row's errors and the confirmation writes nothing unless every row passes. The preview
  is the same import, rolled back (django-import-export's dry run).
- **History.** Every claim, claimant and source written carries the importing user and
  a reason naming the file and the row ("Imported from tracker.csv, row 14"), through
  claims.services like every other write; the services check the permission of what
  changes. Imported claims are drafts: the file has no publication column, and
  publishing goes through the desk's usual path.
- **The same file twice changes nothing.** Rows are keyed by ``slug``; a row without one
  finds the claim with the very same statement (its slug is that statement's, perhaps
  numbered: "...-2027-2"), so a sheet without slugs finds its claims again; any other
  slugless row is a new claim with a free slug, never one whose statement merely slugifies
  alike. A row whose values equal the claim's is skipped (no write, no history row).
- **No live formulas.** Free-text columns are exported with a leading "'" when they
  begin like a formula, and read back without it (claims.spreadsheets).
- **Nothing silently overwritten.** The export writes each claim's ``version``; a row
  that would change a claim changed since (claims.versions) is refused, and with it the
  file. A row without a version (a newsroom's own sheet) writes as it is.
- **Words, not tracebacks**: "row 14: deadline_end 'Q5 2026' is not a date (write YYYY-MM-DD)".

Deadlines and targets written as words are read by the intake's parsers
(claims.intake.deadlines, claims.intake.targets) when the structured columns are empty.
"""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.text import slugify
from import_export import resources, widgets
from import_export.fields import Field

from claims import services
from claims.api.serializers import decimal_text
from claims.imports import columns
from claims.imports.columns import COLUMNS, TEXT_FIELDS, RowErrors, text
from claims.intake.deadlines import parse_deadline
from claims.intake.targets import parse_target
from claims.models import Claim, Claimant, Precision, Source, Status, outcome_date
from claims.spreadsheets import read_text_cell, text_cell
from claims.versions import StaleEdit

# What a row sets on a claim: compared with the claim as it is to skip unchanged rows.
COMPARED = (
    "slug",
    *TEXT_FIELDS,
    "claimant_id",
    "source_id",
    "deadline_start",
    "deadline_end",
    "deadline_precision",
    "target_comparator",
    "target_value",
    "actual_value",
    "status",
    "resolved_on",
)
# The columns of free text: quoted against formulas on export, unquoted on import
# (numbers, dates, codes and the slug are written as they are: a negative target stays a number).
SAFE_TEXT_COLUMNS = (
    "statement", "quote", "claimant", "claimant_url", "source_title", "source_url", "source_publisher",
    "deadline_text", "target", "target_quantity", "target_unit", "verdict", "notes",
)  # fmt: skip
TARGET_COLUMNS = ("target_quantity", "target_comparator", "target_value", "target_unit")
SLUG_LENGTH = 80


class SafeText(widgets.Widget):
    """Free text, written so that no spreadsheet runs it as a formula (claims.spreadsheets); read back as it was."""

    def render(self, value, obj=None, **kwargs):
        return text_cell("" if value is None else str(value))


class DecimalText(widgets.Widget):
    """A decimal as readers see it in the API: "20000", not the column's "20000.0000"."""

    def render(self, value, obj=None, **kwargs):
        return decimal_text(value) or ""


def _field(column: str, attribute: str | None = None, widget=None) -> Field:
    if widget is None and column in SAFE_TEXT_COLUMNS:
        widget = SafeText()
    return Field(attribute=attribute or column, column_name=column, widget=widget)


DAY = widgets.DateWidget(format="%Y-%m-%d")


def row_slug(statement: str) -> str:
    """The slug of a row that has none: from its statement, the same every time (re-imports find it)."""
    slug = slugify(statement)[:SLUG_LENGTH].strip("-")
    return slug or "claim-" + hashlib.sha256(statement.encode()).hexdigest()[:12]


class ClaimResource(resources.ModelResource):
    """The claims' spreadsheet (columns.COLUMNS), read and written."""

    slug = _field("slug")
    statement = _field("statement")
    quote = _field("quote")
    claimant = _field("claimant", "claimant__name")
    claimant_kind = _field("claimant_kind", "claimant__kind")
    claimant_url = _field("claimant_url", "claimant__url")
    source_title = _field("source_title", "source__title")
    source_url = _field("source_url", "source__url")
    source_publisher = _field("source_publisher", "source__publisher")
    source_published_on = _field("source_published_on", "source__published_on", DAY)
    deadline_text = _field("deadline_text")
    deadline_start = _field("deadline_start", widget=DAY)
    deadline_end = _field("deadline_end", widget=DAY)
    deadline_precision = _field("deadline_precision")
    target = _field("target", "target_display")
    target_quantity = _field("target_quantity")
    target_comparator = _field("target_comparator")
    target_value = _field("target_value", widget=DecimalText())
    target_unit = _field("target_unit")
    actual_value = _field("actual_value", widget=DecimalText())
    status = _field("status")
    resolved_on = _field("resolved_on", widget=DAY)
    verdict = _field("verdict")
    notes = _field("notes")
    version = _field("version")

    class Meta:
        model = Claim
        fields = COLUMNS
        import_id_fields = ("slug",)
        export_order = COLUMNS
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def get_queryset(self):
        return Claim.objects.select_related("claimant", "source").order_by("id")

    def init_instance(self, row=None):
        return Claim()

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        """Always in one transaction, rolled back if any row has an error of any kind (see the module)."""
        kwargs.update(use_transactions=True, rollback_on_validation_errors=True)
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)

    def before_import(self, dataset, **kwargs):
        if "statement" not in (dataset.headers or []):
            raise ValidationError(
                "The file has no 'statement' column. Its first row names the columns: "
                + ", ".join(COLUMNS)
                + " (export the claims to get a file to start from)."
            )
        if "slug" not in dataset.headers:
            dataset.append_col([""] * len(dataset), header="slug")
        self._slug_rows: dict[str, int] = {}
        # Claimants and sources that were there before the import, by name and URL: one
        # lookup per file rather than per row (a sheet names the same few again and again).
        self._claimants: dict[tuple, Claimant] = {}
        self._sources: dict[str, Source] = {}

    def get_instance(self, instance_loader, row):
        slug = text(row.get("slug"))
        return Claim.objects.select_related("claimant", "source").filter(slug=slug).first() if slug else None

    def before_import_row(self, row, **kwargs):
        number = kwargs.get("row_number")
        for column in SAFE_TEXT_COLUMNS:
            if isinstance(row.get(column), str):
                row[column] = read_text_cell(row[column])
        if not text(row.get("slug")):
            row["slug"] = self._derived_slug(text(row.get("statement")))
        slug = text(row["slug"])
        first = self._slug_rows.setdefault(slug, number)
        if first != number:
            raise ValidationError(
                {
                    "slug": f"row {number}: the same claim as row {first} (slug {columns.quoted(slug)}): "
                    "give each row its own slug, or merge the rows"
                }  # fmt: skip
            )

    def _derived_slug(self, statement: str) -> str:
        """The slug of a row that has none: its claim's, if a claim has this very statement; else a free one.

        The slug of the statement alone is not enough: two claims whose statements slugify
        alike ("... by 2027." and "... by 2027!") have "x" and "x-2" (services.unique_slug),
        and a row meant for the second must not write over the first. A claim is found again
        only by its statement (so the same sheet imported twice changes nothing); any other
        row is a new claim, with the next free slug.
        """
        base = row_slug(statement)
        prefix = base[: SLUG_LENGTH - 10]  # what every suffixed form ("base-12") keeps of it
        same = Claim.objects.filter(slug__startswith=prefix, statement=statement).order_by("id")
        for slug in same.values_list("slug", flat=True):
            if slug in _slug_forms(base, slug):
                return slug
        candidate, n = base, 1
        while candidate in self._slug_rows or Claim.objects.filter(slug=candidate).exists():
            n += 1
            candidate = f"{base[: SLUG_LENGTH - len(str(n)) - 1]}-{n}"
        return candidate

    # --- Reading a row -------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        errors = RowErrors(kwargs.get("row_number"))
        by, reason = kwargs.get("user"), self.reason(**kwargs)
        instance.slug = text(row.get("slug"))
        for name in TEXT_FIELDS:
            if name in row:
                setattr(instance, name, text(row[name]))
        if not instance.statement:
            errors.add("statement", "statement is empty: every claim needs one")
        published_on = errors.read("source_published_on", columns.date, row.get("source_published_on"))
        self._claimant(instance, row, errors, by=by, reason=reason)
        self._source(instance, row, errors, published_on, by=by, reason=reason)
        self._deadline(instance, row, errors, reference=published_on or timezone.localdate())
        self._target(instance, row, errors)
        if "actual_value" in row:
            instance.actual_value = errors.read("actual_value", columns.decimal, row["actual_value"])
        if text(row.get("status")):
            instance.status = errors.read("status", columns.status, row["status"]) or instance.status
        elif instance.pk is None:
            instance.status = Status.PENDING
        if "resolved_on" in row:
            instance.resolved_on = errors.read("resolved_on", columns.date, row["resolved_on"])
        # The version the sheet was exported at: checked when the row is written (save_instance).
        instance._sheet_version = errors.read("version", columns.version, row.get("version"))
        errors.raise_if_any()

    def _claimant(self, instance, row, errors, *, by, reason):
        name = text(row.get("claimant"))
        if not name:
            if "claimant" in row or instance.pk is None:
                errors.add("claimant", "claimant is empty: every claim needs the name of who made it")
            return
        if instance.claimant_id and instance.claimant.name == name:
            return
        kind = errors.read("claimant_kind", columns.claimant_kind, row.get("claimant_kind") or "organization")
        if kind is None or errors.errors:
            return  # nothing is created for a row that fails anyway
        claimant = self._claimants.get((name, kind))
        if claimant is None:
            claimant, created = services.get_or_create_claimant(
                name, kind=kind, url=text(row.get("claimant_url")), by=by, reason=reason
            )
            if not created:
                self._claimants[name, kind] = claimant
        instance.claimant = claimant

    def _source(self, instance, row, errors, published_on, *, by, reason):
        title, url = text(row.get("source_title")), text(row.get("source_url"))
        publisher = text(row.get("source_publisher"))
        if not (title or url):
            if instance.pk is None or "source_title" in row:
                errors.add("source_title", "source_title and source_url are empty: every claim needs a source")
            return
        current = instance.source if instance.source_id else None
        if current is not None and current.url == url and (url or current.title == title):
            return
        if errors.errors:
            return
        if url and url in self._sources:
            source = self._sources[url]
        elif url:
            source, created = services.get_or_create_source(
                title=title or url, url=url, publisher=publisher, published_on=published_on, by=by, reason=reason
            )
            if not created:
                self._sources[url] = source
        else:
            # A source without an address (a press conference) is the one of the same title and publisher.
            source = Source.objects.filter(url="", title=title, publisher=publisher).order_by("id").first()
            if source is None:
                source = services.tracked_save(
                    Source(title=title, publisher=publisher, published_on=published_on), by=by, reason=reason
                )
        instance.source = source

    def _deadline(self, instance, row, errors, *, reference):
        if not any(name in row for name in ("deadline_text", "deadline_start", "deadline_end", "deadline_precision")):
            return
        start = errors.read("deadline_start", columns.date, row.get("deadline_start"))
        end = errors.read("deadline_end", columns.date, row.get("deadline_end"))
        precision = None
        if text(row.get("deadline_precision")):
            precision = errors.read("deadline_precision", columns.precision, row["deadline_precision"])
        if errors.errors:
            return
        phrase = instance.deadline_text
        if start or end:
            instance.deadline_start, instance.deadline_end = start, end
            instance.deadline_precision = precision or Precision.DAY
        elif precision and not Precision(precision).is_dated:
            instance.deadline_start = instance.deadline_end = None
            instance.deadline_precision = precision
        elif phrase:
            deadline = parse_deadline(phrase, reference)
            if deadline.precision == Precision.NONE:
                errors.add(
                    "deadline_text",
                    f"deadline {columns.quoted(phrase)} is not a date: write deadline_end as YYYY-MM-DD, "
                    "or a phrase such as 'by 2026' or 'in the second half of 2027'",
                )
                return
            instance.deadline_start, instance.deadline_end = deadline.start, deadline.end
            instance.deadline_precision = deadline.precision
        else:
            instance.deadline_start = instance.deadline_end = None
            instance.deadline_precision = Precision.NONE

    def _target(self, instance, row, errors):
        if not any(name in row for name in (*TARGET_COLUMNS, "target")):
            return
        comparator, value = text(row.get("target_comparator")), row.get("target_value")
        if comparator or text(value):
            instance.target_comparator = errors.read("target_comparator", columns.comparator, comparator) or ""
            instance.target_value = errors.read("target_value", columns.decimal, value)
            instance.target_quantity = text(row.get("target_quantity"))
            instance.target_unit = text(row.get("target_unit"))
            if not (instance.target_comparator and instance.target_value is not None) and not errors.errors:
                errors.add("target_value", "a target needs both target_comparator and target_value")
        elif words := text(row.get("target")):
            target = parse_target(words)
            if target is None:
                errors.add(
                    "target",
                    f"target {columns.quoted(words)} is not a target that can be read: "
                    "fill target_comparator and target_value instead",
                )
                return
            instance.target_quantity = target.quantity or text(row.get("target_quantity"))
            instance.target_comparator, instance.target_value = target.comparator, target.value
            instance.target_unit = target.unit or text(row.get("target_unit"))
        else:
            instance.target_quantity = instance.target_unit = instance.target_comparator = ""
            instance.target_value = None

    # --- Writing it ----------------------------------------------------------------------

    @staticmethod
    def reason(**kwargs) -> str:
        file_name = kwargs.get("file_name") or "a file"
        return f"Imported from {file_name}, row {kwargs.get('row_number')}"

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or original is None or instance.pk is None:
            return False
        return all(getattr(instance, name) == getattr(original, name) for name in COMPARED)

    def save_instance(self, instance, is_create, row, **kwargs):
        number = kwargs.get("row_number")
        try:
            # Validated once, here, without what this import already knows: the model's clean()
            # checks what its check constraints say, the claimant and source are rows just read,
            # and the slug was looked up at the row's start (two rows of one file with one slug
            # are refused). That is four queries a row fewer. The outcome date first, as
            # save_claim sets it, so that clean() judges the row as it will be written.
            instance.resolved_on = outcome_date(instance.status, instance.resolved_on)
            instance.full_clean(exclude=["claimant", "source"], validate_unique=False, validate_constraints=False)
            services.save_claim(
                instance,
                by=kwargs.get("user"),
                reason=self.reason(**kwargs),
                validate=False,
                expected_version=None if is_create else getattr(instance, "_sheet_version", None),
            )
        except StaleEdit as error:
            raise ValidationError(
                {
                    "version": f"row {number}: the claim was changed since this sheet was exported (version "
                    f"{error.expected}, now {error.current}); nothing was imported. Export it again and redo "
                    "this row's edits, or empty its version cell to write over the change."
                }
            ) from None
        except ValidationError as error:
            raise ValidationError(
                {
                    field: [f"row {number}: {field.replace('__all__', 'claim')}: {message}" for message in messages]
                    for field, messages in _messages(error).items()
                }
            ) from None
        except PermissionDenied as error:
            raise ValidationError({"slug": f"row {number}: {error}"}) from None


def _slug_forms(base: str, slug: str) -> set[str]:
    """The slugs ``base`` can take as a row's derived slug: itself, or itself numbered ("base-2")."""
    number = slug.rpartition("-")[2]
    if number.isdigit():
        return {base, f"{base[: SLUG_LENGTH - len(number) - 1]}-{number}"}
    return {base}


def _messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def export_dataset(queryset=None):
    """The claims as a tablib Dataset in the import's columns (export it as CSV or XLSX)."""
    return ClaimResource().export(queryset)
