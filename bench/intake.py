"""Intake benchmark: seconds per megabyte of article text, extraction only, one core.

Run as `.venv/bin/python bench/intake.py`; `make bench` imports `measure_intake()`.
The article is built from the project's labelled sentences and the Nissan story
(half of the labelled sentences are claims, far more than in real news, so this is a
pessimistic load), shuffled with a fixed seed into paragraphs of four sentences until
it reaches one megabyte of UTF-8.
"""

import datetime
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from claims.intake.extract import extract  # noqa: E402

DATA = ROOT / "tests" / "intake_data"
MEGABYTE = 1_000_000
PUBLISHED = datetime.date(2025, 5, 15)


def build_article(size: int = MEGABYTE, seed: int = 5) -> str:
    labelled = json.loads((DATA / "labelled_sentences.json").read_text(encoding="utf-8"))
    sentences = [item["text"] for item in labelled["sentences"]]
    story = (DATA / "nissan_twingo_article.txt").read_text(encoding="utf-8")
    rng = random.Random(seed)
    parts, length = [story], len(story.encode())
    while length < size:
        paragraph = " ".join(rng.sample(sentences, 4)) + "\n\n"
        parts.append(paragraph)
        length += len(paragraph.encode())
    return "".join(parts)


def measure_intake(repeats: int = 3, clock=time.process_time) -> float:
    """Seconds per megabyte of extraction on one core (best of `repeats` runs).

    Extraction is single-threaded, so the process's CPU time is the time it takes on one
    core; unlike the wall clock it does not grow when other work shares the machine.
    """
    article = build_article()
    megabytes = len(article.encode()) / MEGABYTE
    extract(article[:20_000], PUBLISHED)  # warm up: compile regexes, import lazily loaded parts
    best = float("inf")
    for _ in range(repeats):
        started = clock()
        extract(article, PUBLISHED)
        best = min(best, clock() - started)
    return best / megabytes


def main() -> None:
    article = build_article()
    candidates = extract(article, PUBLISHED)
    seconds = measure_intake()
    wall = measure_intake(repeats=1, clock=time.perf_counter)
    print(f"intake: {len(article.encode()) / MEGABYTE:.2f} MB, {len(candidates)} candidates")
    print(f"intake: {seconds:.3f} CPU seconds per MB on one core (budget 2.0); wall clock {wall:.3f} s per MB")


if __name__ == "__main__":
    main()
