"""Bulk import speed: a spreadsheet of 10,000 claims through the admin's import (claims.imports), preview and confirm.

Both steps run as the admin runs them (ClaimResource.import_data, history and all): the
preview is the import rolled back; the confirmation is run inside a transaction that is
rolled back too, so the benchmark's database keeps only what it generated. Reported in
seconds per 1,000 rows, history rows included.

    python -m bench.import_step     (DATABASE_URL names the benchmark database)
"""

import time

import tablib
from django.db import transaction

ROWS = 10_000
FILE_NAME = "bench-import.csv"


def dataset(rows: int) -> tablib.Dataset:
    """A newsroom's sheet: 50 claimants, a source per 10 rows, deadlines as phrases and as dates, some targets."""
    from claims.imports.columns import COLUMNS

    data = tablib.Dataset(headers=list(COLUMNS))
    for n in range(rows):
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            statement=f"Bench promise {n}: the city will build {n % 90 + 10} new homes in district {n}.",
            claimant=f"Bench claimant {n % 50}",
            source_title=f"Bench article {n // 10}",
            source_url=f"https://bench.example/articles/{n // 10}",
            source_published_on="2025-01-15",
        )
        if n % 2:
            row["deadline_text"] = f"by {2026 + n % 5}"
        else:
            row.update(deadline_start="2026-01-01", deadline_end="2026-12-31", deadline_precision="year")
        if n % 3 == 0:
            row["target"] = f"at least {n % 90 + 10} new homes"
        data.append([row[column] for column in COLUMNS])
    return data


def measure_import(rows: int = ROWS) -> dict:
    from claims.imports.resource import ClaimResource
    from claims.models import Claim
    from claims.services import system_user

    sheet, user = dataset(rows), system_user()
    started = time.perf_counter()
    preview = ClaimResource().import_data(sheet, dry_run=True, user=user, file_name=FILE_NAME)
    preview_seconds = time.perf_counter() - started
    if preview.has_errors() or preview.has_validation_errors():
        raise RuntimeError(
            f"the benchmark's sheet does not import: {preview.invalid_rows[:1] or preview.row_errors()[:1]}"
        )
    with transaction.atomic():
        started = time.perf_counter()
        confirmed = ClaimResource().import_data(sheet, dry_run=False, user=user, file_name=FILE_NAME)
        confirm_seconds = time.perf_counter() - started
        history_rows = Claim.history.filter(history_change_reason__startswith=f"Imported from {FILE_NAME}").count()
        created = confirmed.totals["new"]
        transaction.set_rollback(True)  # the benchmark's database keeps only what it generated
    return {
        "available": True,
        "rows": rows,
        "created": created,
        "history_rows": history_rows,
        "preview_seconds_per_1000": preview_seconds / rows * 1000,
        "confirm_seconds_per_1000": confirm_seconds / rows * 1000,
    }
