"""The bulk import's benchmark step at a small size: it imports its sheet without errors and leaves nothing behind.

The measurement itself runs in `make bench` (10,000 rows); no timing is asserted here.
"""

from bench import report
from bench.imports import measure_import
from claims.models import Claim, Claimant, Source


def test_the_import_step_measures_preview_and_confirm_and_rolls_back(db):
    result = measure_import(rows=30)
    assert result["available"] and result["rows"] == 30 and result["created"] == 30
    assert result["history_rows"] == 30  # one per claim, each with the file's name as the reason
    assert result["preview_seconds_per_1000"] > 0 and result["confirm_seconds_per_1000"] > 0
    assert not Claim.objects.exists() and not Claimant.objects.exists() and not Source.objects.exists()


def test_the_report_has_a_line_for_it():
    run = report.Run(claims=1000, command="", started=None, machine={}, setup="")
    assert report._import_lines(run) == ["Bulk import: not measured."]
    run.imports = {"available": True, "rows": 10_000, "preview_seconds_per_1000": 1.5, "confirm_seconds_per_1000": 2}
    assert report._import_lines(run)[0].endswith("preview 1.50 s, confirm 2.00 s per 1,000 rows.")
