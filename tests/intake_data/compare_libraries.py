"""Compare quantulum3 and dateparser with intake's own parsers on the development part.

Neither library is a dependency: install them into a scratch virtualenv to run this
(pip install quantulum3==0.10.0 dateparser==1.5.0), from the repository root:

    PYTHONPATH=. python tests/intake_data/compare_libraries.py

For the labelled claims of the development part it prints how often each parser gets
the target's value and the deadline's end right, its CPU time, and every sentence a
library gets right that intake's own parser gets wrong. Results are in docs/intake.md.
"""

import datetime
import time
import warnings

import dateparser.search
import quantulum3.parser

from claims.intake import quality
from claims.intake.deadlines import parse_deadline
from claims.intake.targets import parse_target


def _plain(value):
    return int(value) if value == int(value) else float(value)


def _values(expected) -> set:
    return {one["value"] for one in quality._as_list(expected)} if expected else set()


def _right(found: set, gold: set) -> bool:
    return bool(found & gold) if gold else not found


def compare_targets(claims) -> None:
    ours = theirs = 0
    ours_time = theirs_time = 0.0
    for _article, sentence in claims:
        gold = _values(sentence["target"])
        started = time.process_time()
        found = parse_target(sentence["text"])
        ours_time += time.process_time() - started
        ours_right = _right({_plain(found.value)} if found else set(), gold)
        started = time.process_time()
        quantities = quantulum3.parser.parse(sentence["text"])
        theirs_time += time.process_time() - started
        # Their best guess: the first quantity that has a unit.
        with_unit = [q for q in quantities if q.unit.name != "dimensionless"]
        theirs_right = _right({_plain(with_unit[0].value)} if with_unit else set(), gold)
        ours, theirs = ours + ours_right, theirs + theirs_right
        if theirs_right and not ours_right:
            print("  quantulum3 only:", sentence["text"][:100])
    count = len(claims)
    print(f"target value, {count} claims: intake {ours / count:.3f} ({ours_time * 1000:.0f} ms CPU)")
    print(f"                   quantulum3 {theirs / count:.3f} ({theirs_time * 1000:.0f} ms CPU)")


def compare_deadlines(claims) -> None:
    ours = theirs = 0
    ours_time = theirs_time = 0.0
    for article, sentence in claims:
        reference = datetime.date.fromisoformat(article["source"]["published"])
        started = time.process_time()
        deadline = parse_deadline(sentence["text"], reference)
        ours_time += time.process_time() - started
        ours_right = (deadline.end.isoformat() if deadline.end else None) == sentence["deadline_end"]
        settings = {
            "RELATIVE_BASE": datetime.datetime.combine(reference, datetime.time()),
            "PREFER_DATES_FROM": "future",
            "PREFER_DAY_OF_MONTH": "last",
        }
        started = time.process_time()
        found = dateparser.search.search_dates(sentence["text"], languages=["en"], settings=settings) or []
        theirs_time += time.process_time() - started
        future = [when.date().isoformat() for _text, when in found if when.date() >= reference]
        theirs_right = (future[0] if future else None) == sentence["deadline_end"]
        ours, theirs = ours + ours_right, theirs + theirs_right
        if theirs_right and not ours_right:
            print("  dateparser only:", sentence["text"][:100])
    count = len(claims)
    print(f"deadline end, {count} claims: intake {ours / count:.3f} ({ours_time * 1000:.0f} ms CPU)")
    print(f"                   dateparser {theirs / count:.3f} ({theirs_time * 1000:.0f} ms CPU)")


if __name__ == "__main__":
    warnings.filterwarnings("ignore")
    articles = [a for a in quality.load() if quality.part_of(a["id"]) == quality.DEV]
    labelled_claims = [(a, s) for a in articles for s in a["sentences"] if s["claim"]]
    compare_targets(labelled_claims)
    compare_deadlines(labelled_claims)
