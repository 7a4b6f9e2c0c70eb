"""How well intake reads real articles: precision, recall, deadlines, targets, claimants.

The labelled set (tests/intake_data/articles.json) holds sentences of public articles
in their order, each article with its publication date. Every article is put back
together as text (its paragraphs kept) and extracted as a whole, so that a sentence
that refers back ("The carmaker plans ...") is read with what came before it, as in
the admin. A candidate counts for the labelled sentence it starts in.

The articles are split into a development part and a test part by a hash of their id
(``part_of``), fixed before any rule was tuned: rules are tuned on the development part
only, and the test part is measured once per change, so its scores stay an estimate
of what editors will see on articles nobody has read.

The test part was read (its misses described in docs/intake.md), so a third, **fresh**
part (tests/intake_data/fresh_articles.json) holds articles written for the set and
labelled before the extractor ever ran on them. It was read and tuned on in the seventh
round; **fresh2** (tests/intake_data/fresh2_articles.json), written blind by another
author, is now the part measured once per change of the rules and never tuned on.

    python -m claims.intake.quality            # every part: written-dev, dev, test, fresh, fresh2
    python -m claims.intake.quality --part test --misses

Plain Python (no Django), like the extraction itself.
"""

import argparse
import datetime
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from claims.intake.extract import extract

DATA_DIR = Path(__file__).resolve().parents[2] / "tests" / "intake_data"
DEFAULT_DATA = DATA_DIR / "articles.json"
FRESH_DATA = DATA_DIR / "fresh_articles.json"
FRESH2_DATA = DATA_DIR / "fresh2_articles.json"
WRITTEN_DEV_DATA = DATA_DIR / "written_dev_articles.json"
DEV, TEST, FRESH, FRESH2, WRITTEN_DEV = "dev", "test", "fresh", "fresh2", "written-dev"
# Where each part's articles are: dev and test share articles.json (split by part_of).
PART_DATA = {
    DEV: DEFAULT_DATA,
    TEST: DEFAULT_DATA,
    FRESH: FRESH_DATA,
    FRESH2: FRESH2_DATA,
    WRITTEN_DEV: WRITTEN_DEV_DATA,
}
# What `python -m claims.intake.quality` measures, the part never tuned on last.
EVERY = [WRITTEN_DEV, DEV, TEST, FRESH, FRESH2]
# The bar of the quality test (tests/test_intake_quality.py) for both parts.
BAR = 0.9


def part_of(article_id: str) -> str:
    """The part an article belongs to: fixed by its id, never by how the rules do on it."""
    return TEST if int(hashlib.sha256(article_id.encode()).hexdigest(), 16) % 3 == 0 else DEV


def article_text(sentences: list[dict]) -> tuple[str, list[int]]:
    """The article as text (a blank line before each new paragraph) and where each sentence starts."""
    text, starts = "", []
    for sentence in sentences:
        if text:
            text += "\n\n" if sentence.get("break") else " "
        starts.append(len(text))
        text += sentence["text"]
    return text, starts


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def target_matches(found: dict | None, expected) -> bool:
    """Comparator and value right (a list of expected targets accepts any of them)."""
    if found is None or expected is None:
        return found is None and expected is None
    return any((found["comparator"], found["value"]) == (one["comparator"], one["value"]) for one in _as_list(expected))


def unit_matches(found: dict | None, expected) -> bool:
    if found is None or expected is None:
        return found is None and expected is None
    return any(found["unit"].lower() == one["unit"].lower() for one in _as_list(expected))


def _plain_name(name: str) -> str:
    """ "The government" and "government" name one claimant (the labels use both)."""
    name = name.casefold()
    return name[4:] if name.startswith("the ") else name


def claimant_matches(found: str | None, expected) -> bool:
    names = {_plain_name(name) for name in _as_list(expected) if name}
    return bool(found) and _plain_name(found) in names


@dataclass
class Scores:
    articles: int = 0
    sentences: int = 0
    claims: int = 0
    true_pos: int = 0
    false_pos: int = 0
    deadline_end: int = 0
    target: int = 0
    target_unit: int = 0
    claimant: int = 0
    misses: list = field(default_factory=list)

    def ratios(self) -> dict:
        found = self.true_pos + self.false_pos
        claims = self.claims or 1
        return {
            "precision": self.true_pos / found if found else 1.0,
            "recall": self.true_pos / claims,
            # Over every labelled claim: a claim not found has its deadline and target wrong too.
            "deadline_end": self.deadline_end / claims,
            "target": self.target / claims,
            "target_unit": self.target_unit / claims,
            "claimant": self.claimant / claims,
        }

    def report(self, name: str) -> str:
        counts = f"{name}: {self.articles} articles, {self.sentences} sentences, {self.claims} claims"
        return counts + "\n  " + "  ".join(f"{key} {value:.3f}" for key, value in self.ratios().items())


def measure(articles: list[dict], part: str | None = None) -> Scores:
    """Scores of the articles of one part (of all of them without a part; each fresh file is all one part)."""
    scores = Scores()
    for article in articles:
        if part in (DEV, TEST) and part_of(article["id"]) != part:
            continue
        scores.articles += 1
        published = datetime.date.fromisoformat(article["source"]["published"])
        text, starts = article_text(article["sentences"])
        found_at: dict[int, dict] = {}
        for candidate in extract(text, published):
            index = max(i for i, start in enumerate(starts) if start <= candidate.offset)
            found_at.setdefault(index, candidate.as_dict())
        for index, sentence in enumerate(article["sentences"]):
            scores.sentences += 1
            found = found_at.get(index)
            if not sentence["claim"]:
                if found:
                    scores.false_pos += 1
                    scores.misses.append(("false positive", article["id"], sentence["text"], found))
                continue
            scores.claims += 1
            if found is None:
                scores.misses.append(("not found", article["id"], sentence["text"], None))
                continue
            scores.true_pos += 1
            checks = {
                "deadline_end": found["deadline_end"] == sentence["deadline_end"],
                "target": target_matches(found["target"], sentence["target"]),
                "target_unit": unit_matches(found["target"], sentence["target"]),
                "claimant": claimant_matches(found["claimant"], sentence["claimant"]),
            }
            for name, right in checks.items():
                setattr(scores, name, getattr(scores, name) + right)
                if not right and name != "target_unit":
                    expected = sentence[name]
                    scores.misses.append((f"{name} wrong", article["id"], sentence["text"], (found, expected)))
    return scores


def load(path: Path = DEFAULT_DATA) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["articles"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Intake quality on the labelled articles.")
    parser.add_argument("--data", type=Path, default=None, help="another file of articles (measured whole)")
    parser.add_argument(
        "--part", choices=list(PART_DATA), default=None, help=f"default: every part ({', '.join(EVERY)})"
    )
    parser.add_argument("--misses", action="store_true", help="list every miss (tune on dev only)")
    args = parser.parse_args(argv)
    if args.data:
        parts = [(None, args.data)]
    else:
        parts = [(part, PART_DATA[part]) for part in ([args.part] if args.part else EVERY)]
    for part, path in parts:
        scores = measure(load(path), part)
        print(scores.report(part or str(path)))
        if args.misses:
            for kind, article_id, text, detail in scores.misses:
                print(f"  - {kind} [{article_id}] {text}\n      {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
