"""Possible duplicates: a candidate that repeats a claim already in the register.

Same claimant (by slug, as claims.services names claimants) and a similar statement
or quote, scored with RapidFuzz's token-set ratio so that a short quote contained in a
longer sentence ("expected to debut across Europe by 2026") still matches. One query
fetches the existing claims of every claimant named by the candidates.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.text import slugify
from rapidfuzz import fuzz, utils

from claims.models import Claim

SIMILARITY_THRESHOLD = 75  # 0..100; below this the editors found matches to be other claims
MIN_QUOTE_CHARS = 25  # shorter quotes ("by 2028") match too much
MAX_MATCHES = 3


@dataclass(frozen=True)
class Match:
    claim_id: int
    statement: str
    similarity: int


def _similarity(sentence: str, statement: str, quote: str) -> int:
    best = fuzz.token_set_ratio(sentence, statement, processor=utils.default_process)
    if len(quote) >= MIN_QUOTE_CHARS:
        best = max(best, fuzz.token_set_ratio(sentence, quote, processor=utils.default_process))
    return round(best)


def possible_duplicates(candidates: list[tuple[str | None, str]]) -> list[list[Match]]:
    """For each (claimant name, sentence), the existing claims it may repeat, best first."""
    slugs = {slugify(name)[:200] for name, _ in candidates if name}
    existing = defaultdict(list)
    if slugs:
        rows = Claim.objects.filter(claimant__slug__in=slugs).values_list("id", "statement", "quote", "claimant__slug")
        for claim_id, statement, quote, claimant_slug in rows:
            existing[claimant_slug].append((claim_id, statement, quote))
    matches = []
    for name, sentence in candidates:
        found = []
        for claim_id, statement, quote in existing.get(slugify(name or "")[:200], ()):
            similarity = _similarity(sentence, statement, quote)
            if similarity >= SIMILARITY_THRESHOLD:
                found.append(Match(claim_id, statement, similarity))
        found.sort(key=lambda match: -match.similarity)
        matches.append(found[:MAX_MATCHES])
    return matches
