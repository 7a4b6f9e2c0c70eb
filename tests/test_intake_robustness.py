"""Intake never crashes and never proposes what the register would refuse.

Any sentence and any publication date must give candidates (possibly none) that obey
the Claim constraints: deadline_start <= deadline_end, a dated precision has an end
date, vague and none have no dates, and a target has both comparator and value. Two
kinds of input: every time phrase the deadline grammar knows, crossed with the dates
where calendars break (29 February, year ends, years 1 and 9999); and sentences that
hypothesis builds from date phrases, targets and random text.

Pure Python (no database); about two seconds.
"""

import datetime
import itertools
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.intake.deadlines import parse_deadline
from claims.intake.extract import extract
from claims.models import Precision

D = datetime.date
UNDATED = set(Precision.undated_values())
PRECISIONS = set(Precision.values)
COMPARATORS = {"<", "<=", "=", ">=", ">"}

# Where calendars break: leap days and the days around them, year ends, the first and
# last dates Python can hold.
EDGE_REFERENCES = [
    D(2024, 2, 29), D(2024, 3, 1), D(2025, 1, 15), D(2025, 2, 28), D(2025, 12, 31), D(2096, 3, 1),
    D(1, 1, 1), D(9999, 12, 31),
]  # fmt: skip

LEADS = ["", "by ", "in ", "for ", "within ", "before ", "after ", "until ", "from ", "over ", "no later than ",
         "as soon as ", "ahead of ", "during ", "on ", "starting in "]  # fmt: skip
MODS = ["", "the end of ", "the end of the ", "early ", "mid-", "late ", "the next ", "next ", "this ", "the ",
        "the start of ", "the very end of "]  # fmt: skip
PERIODS = [
    "2026", "1999", "2099", "fiscal 2027", "FY2026", "2030s", "the 2090s", "Q1", "Q4 2026", "4Q", "the third quarter",
    "H2", "the second half of 2027", "the first half of next year", "February", "February 29", "29 February",
    "29 Feb 2025", "29 February 2028", "31 April", "February 30", "0 March", "39 May", "March 2026",
    "2026-02-29", "2028-02-29", "2026-13-01", "spring", "winter", "winter 2025", "the winter of 2099", "fall",
    "this year", "next year", "year-end", "this month", "next month", "next quarter", "the current quarter",
    "the decade", "next decade", "three years", "999 decades", "999 years", "999 days", "0 days", "eighteen months",
    "a decade", "two weeks' time", "soon", "the coming years", "the near future", "the long term",
]  # fmt: skip


def assert_registrable(candidate) -> None:
    """The Claim model's check constraints, and the shape the JSON output promises."""
    start, end, precision = candidate.deadline_start, candidate.deadline_end, candidate.deadline_precision
    assert precision in PRECISIONS, candidate
    if precision in UNDATED:
        assert start is None and end is None, candidate
    else:
        assert end is not None, candidate
    assert start is None or end is None or start <= end, candidate
    if candidate.target is not None:
        assert candidate.target.comparator in COMPARATORS and candidate.target.value is not None, candidate
    assert 0 < candidate.score <= 1, candidate
    candidate.as_dict()  # serialisable as the command prints it


# Each lead alone, and each modifier after the leads that change how it is read.
PHRASES = [f"{lead}{period}" for lead, period in itertools.product(LEADS, PERIODS)] + [
    f"{lead}{mod}{period}" for lead, mod, period in itertools.product(["", "by ", "in ", "before "], MODS, PERIODS)
]


def test_every_time_phrase_resolves_on_every_awkward_date():
    checked = 0
    for phrase in PHRASES:
        sentence = f"Acme will launch the service {phrase}."
        for reference in EDGE_REFERENCES:
            deadline = parse_deadline(sentence, reference)
            if deadline.precision in UNDATED:
                assert deadline.start is None and deadline.end is None, (sentence, reference, deadline)
            else:
                assert deadline.end is not None and (deadline.start is None or deadline.start <= deadline.end), (
                    sentence,
                    reference,
                    deadline,
                )
            checked += 1
    assert checked == len(PHRASES) * len(EDGE_REFERENCES)


def test_phrases_of_every_kind_come_out_as_candidates():
    """The sentences above are claims, so the loop really checks candidates, not an empty list."""
    for period in PERIODS:
        for reference in (D(2024, 2, 29), D(9999, 12, 31)):
            for candidate in extract(f"Acme will launch the service by {period}.", reference):
                assert_registrable(candidate)
    assert extract("Acme will launch the service by February 29.", D(2024, 3, 10))[0].deadline_end == D(2028, 2, 29)


SUBJECTS = st.sampled_from(["Acme", "The ministry", "Ørsted", "It", "Chief executive Jane Doe", "They", ""])
CUES = st.sampled_from(["will launch", "plans to open", "aims for", "is expected to reach", "could cut", "launched",
                        "said it would deliver", "may", "expects", "had planned to ship", ""])  # fmt: skip
TARGETS = st.sampled_from(["", "a price under 20,000 EUR", "more than 600 km", "90%", "at least 30 million cars",
                           "€2bn", "up to 700 km", "below 2 million yuan", "160 Wh/kg", "$", "under % minutes",
                           "1.5 billion", "0 kWh", "99999999999999999999999999 euros"])  # fmt: skip
DATE_PHRASES = st.builds(lambda lead, mod, period: f"{lead}{mod}{period}", st.sampled_from(LEADS),
                         st.sampled_from(MODS), st.sampled_from(PERIODS))  # fmt: skip
# Random text with the characters that matter to the scanners: digits, currency, dashes,
# quotes and sentence ends, plus anything unicode has.
NOISE = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.text(
    alphabet="0123456789 ,.-–'’\"%€$£¥/?!:;()QHqh\n", max_size=40
)
SENTENCES = st.builds(
    lambda *parts: " ".join(parts),
    SUBJECTS,
    CUES,
    TARGETS,
    DATE_PHRASES,
    NOISE,
    DATE_PHRASES,
    NOISE,
)

# Random examples explore locally; CI replays a fixed set so that a red run is repeatable.
# No example database: nothing is written into the work tree.
PROPERTY = settings(
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY
@given(sentences=st.lists(SENTENCES | NOISE, min_size=1, max_size=4), reference=st.dates() | st.none())
def test_extraction_never_raises_and_every_candidate_is_registrable(sentences, reference):
    text = "\n\n".join(sentences) if len(sentences) % 2 else " ".join(sentences)
    for candidate in extract(text, reference, today=D(2025, 5, 15)):
        assert_registrable(candidate)
