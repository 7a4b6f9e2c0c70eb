"""Possible duplicates: a candidate that repeats a claim already in the register.

Same claimant (by slug, as claims.services names claimants) and a similar text,
scored with RapidFuzz's token-set ratio so that a short quote contained in a longer
sentence ("expected to debut across Europe by 2026") still matches. A candidate is
compared by its statement as the editor left it and by the article's sentence, against
each existing claim's statement and quote; the best of these is its similarity. One
query fetches the existing claims of every claimant named by the candidates.

The match runs when the review page is rendered, again whenever the editor changes a
candidate's claimant or statement (static/intake/review.js asks ``views.duplicates``),
and again when the review is confirmed (``views.confirm``), so a duplicate created by an
edit is caught even without JavaScript. At ``LIKELY_SAME`` or more the review proposes
"add as a further appearance" by default; a candidate whose statement is an existing
claim's statement word for word (case and punctuation aside) is never saved as a new
claim (``Match.exact``).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.text import slugify
from rapidfuzz import fuzz, utils

from claims.models import Claim

SIMILARITY_THRESHOLD = 75  # 0..100; below this the editors found matches to be other claims
LIKELY_SAME = 95  # the review defaults to "add as a further appearance" from here
MIN_QUOTE_CHARS = 25  # shorter quotes ("by 2028") match too much
MAX_MATCHES = 3
MAX_TEXT_CHARS = 2000  # longer than any sentence intake lists (sentences.MAX_SENTENCE_CHARS)


@dataclass(frozen=True)
class Match:
    claim_id: int
    statement: str
    similarity: int
    exact: bool = False  # the candidate's statement is this claim's statement, word for word

    @property
    def likely_same(self) -> bool:
        return self.similarity >= LIKELY_SAME


def _similarity(texts: Iterable[str], statement: str, quote: str) -> int:
    best = 0.0
    for text in texts:
        if not text:
            continue
        best = max(best, fuzz.token_set_ratio(text, statement, processor=utils.default_process))
        if len(quote) >= MIN_QUOTE_CHARS:
            best = max(best, fuzz.token_set_ratio(text, quote, processor=utils.default_process))
    return int(best)  # rounded down: 99.6 is not the same words


def _same_words(one: str, other: str) -> bool:
    return bool(one) and utils.default_process(one) == utils.default_process(other)


def _slug(name: str | None) -> str:
    return slugify(name or "")[:200]


def possible_duplicates(candidates: list[tuple[str | None, list[str]]]) -> list[list[Match]]:
    """For each (claimant name, texts), the existing claims it may repeat, best first.

    The first text is the candidate's statement (checked for an exact repeat), the others
    what else it is known by (the article's sentence).
    """
    slugs = {_slug(name) for name, _ in candidates if _slug(name)}
    existing = defaultdict(list)
    if slugs:
        rows = Claim.objects.filter(claimant__slug__in=slugs).values_list("id", "statement", "quote", "claimant__slug")
        for claim_id, statement, quote, claimant_slug in rows:
            existing[claimant_slug].append((claim_id, statement, quote))
    matches = []
    for name, texts in candidates:
        texts = [(text or "")[:MAX_TEXT_CHARS] for text in texts] or [""]
        found = []
        for claim_id, statement, quote in existing.get(_slug(name), ()) if _slug(name) else ():
            similarity = _similarity(texts, statement, quote)
            if similarity >= SIMILARITY_THRESHOLD:
                found.append(Match(claim_id, statement, similarity, exact=_same_words(texts[0], statement)))
        found.sort(key=lambda match: (-match.similarity, match.claim_id))
        matches.append(found[:MAX_MATCHES])
    return matches
