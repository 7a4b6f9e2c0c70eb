"""Detection quality on sentences written by the project (tests/intake_data/).

labelled_sentences.json (100 sentences, half claims, half tricky non-claims) was
written alongside the rules; heldout_sentences.json (30) was written after the rules
were frozen and never used to tune them. Run with -s to see the numbers.
"""

import datetime
import json
from pathlib import Path

import pytest

from claims.intake.extract import extract

DATA = Path(__file__).parent / "intake_data"


def _target_matches(found, expected) -> bool:
    if found is None or expected is None:
        return found is None and expected is None
    return (found["comparator"], found["value"], found["unit"]) == (
        expected["comparator"],
        expected["value"],
        expected["unit"],
    )


def measure(filename: str) -> dict:
    labelled = json.loads((DATA / filename).read_text(encoding="utf-8"))
    default = labelled["default_published"]
    true_pos = false_pos = false_neg = exact_deadline = right_target = 0
    for item in labelled["sentences"]:
        published = datetime.date.fromisoformat(item.get("published", default))
        candidates = extract(item["text"], published)
        found = candidates[0].as_dict() if candidates else None
        if not item["claim"]:
            false_pos += found is not None
            continue
        if found is None:
            false_neg += 1
            continue
        true_pos += 1
        exact_deadline += found["deadline_end"] == item["deadline_end"]
        right_target += _target_matches(found["target"], item["target"])
    claims = true_pos + false_neg
    return {
        "sentences": len(labelled["sentences"]),
        "claims": claims,
        "precision": true_pos / (true_pos + false_pos),
        "recall": true_pos / claims,
        "deadline_end_exact": exact_deadline / claims,  # missed claims count as wrong
        "target_correct": right_target / claims,
    }


def _report(name: str, scores: dict) -> str:
    return f"{name}: " + ", ".join(
        f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}" for key, value in scores.items()
    )


def test_detection_on_the_labelled_set_meets_the_bar():
    scores = measure("labelled_sentences.json")
    print(_report("labelled", scores))
    assert scores["sentences"] >= 80 and scores["claims"] * 2 == scores["sentences"]
    assert scores["precision"] >= 0.9, _report("labelled", scores)
    assert scores["recall"] >= 0.9, _report("labelled", scores)
    assert scores["deadline_end_exact"] >= 0.9, _report("labelled", scores)
    assert scores["target_correct"] >= 0.9, _report("labelled", scores)


def test_detection_on_held_out_sentences_stays_useful():
    scores = measure("heldout_sentences.json")
    print(_report("held-out", scores))
    # A floor against regressions on unseen text, lower than the bar above on purpose.
    for key in ("precision", "recall", "deadline_end_exact", "target_correct"):
        assert scores[key] >= 0.8, _report("held-out", scores)


@pytest.mark.parametrize("filename", ["labelled_sentences.json", "heldout_sentences.json"])
def test_the_labelled_sets_are_well_formed(filename):
    labelled = json.loads((DATA / filename).read_text(encoding="utf-8"))
    for item in labelled["sentences"]:
        assert set(item) <= {"text", "claim", "published", "claimant", "deadline_end", "precision", "target"}
        if item["claim"]:
            assert "deadline_end" in item and "target" in item, item["text"]
