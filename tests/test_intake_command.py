"""`manage.py extract_claims`: JSON on standard output, clear errors and a non-zero exit."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "tests" / "intake_data" / "nissan_twingo_article.txt"


def run(*args, stdin: bytes = b""):
    """The command as an editor runs it: a separate process, reading standard input."""
    return subprocess.run(
        [sys.executable, "manage.py", "extract_claims", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        env={**os.environ, "DEBUG": "1"},
        timeout=60,
    )


def test_json_is_one_array_of_candidates_and_nothing_else(capsys):
    call_command("extract_claims", str(STORY), "--published", "2025-05-15", "--format", "json")
    candidates = json.loads(capsys.readouterr().out)
    assert [c["claimant"] for c in candidates] == ["Nissan", "Nissan", "Renault", "Ampere", "Alpine"]
    ampere = candidates[3]
    assert (ampere["deadline_text"], ampere["deadline_start"], ampere["deadline_end"]) == (
        "by 2028",
        "2025-05-15",
        "2028-12-31",
    )
    assert ampere["deadline_precision"] == "year" and 0 < ampere["score"] <= 1
    assert ampere["target"] == {"quantity": "recharge time", "comparator": "<", "value": 15, "unit": "min"}
    assert set(ampere) == {
        "sentence", "claimant", "deadline_text", "deadline_start", "deadline_end", "deadline_precision",
        "target", "score",
    }  # fmt: skip


def test_text_format_is_for_people(capsys):
    call_command("extract_claims", str(STORY), "--published", "2025-05-15")
    out = capsys.readouterr().out
    assert "claimant: Renault" in out and "target:   starting price < 20000 EUR" in out


def test_standard_input_is_read_with_dash():
    result = run("-", "--format", "json", "--published", "2025-05-15", stdin=STORY.read_bytes())
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 5


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (b"", "The article is empty."),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary file"),
        (b"Nissan will launch it in caf\xe9s.", "not UTF-8 text (byte 0xe9 at position 28)"),
        (b"\xff\xfeN\x00i\x00", "UTF-16"),
    ],
)
def test_bad_input_exits_non_zero_with_a_clear_message(stdin, message):
    result = run("-", "--format", "json", stdin=stdin)
    assert result.returncode != 0
    assert message in result.stderr.decode() and result.stdout == b"", result.stderr.decode()


def test_a_missing_file_or_a_bad_date_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("extract_claims", str(tmp_path / "nope.txt"))
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("extract_claims", str(STORY), "--published", "15/05/2025")
    with pytest.raises(CommandError, match="in the future; check the year"):
        call_command("extract_claims", str(STORY), "--published", "2206-05-15")


def test_a_leap_day_without_a_year_prints_the_next_one_not_a_traceback():
    article = b"Acme will open the plant by February 29."
    result = run("-", "--format", "json", "--published", "2024-03-10", stdin=article)
    assert result.returncode == 0 and result.stderr == b"", result.stderr.decode()
    [candidate] = json.loads(result.stdout)
    assert (candidate["deadline_start"], candidate["deadline_end"]) == ("2024-03-10", "2028-02-29")


def test_a_quoted_claim_adds_its_quote_to_the_json(capsys, tmp_path):
    demo = ROOT / "tests" / "intake_data" / "demo_article.txt"
    call_command("extract_claims", str(demo), "--published", "2024-11-04", "--format", "json")
    candidates = json.loads(capsys.readouterr().out)
    quoted = [c for c in candidates if "quote" in c]
    assert len(quoted) == 1 and quoted[0]["claimant"] == "Ampere"
    assert quoted[0]["quote"].startswith("Our next-gen cobalt-free batteries") and '"' not in quoted[0]["quote"]
    assert set(quoted[0]) == {
        "sentence", "claimant", "deadline_text", "deadline_start", "deadline_end", "deadline_precision",
        "target", "score", "quote",
    }  # fmt: skip
