"""From an article's text to candidate claims.

This module (and everything it imports) is plain Python with no Django, so the
command, the admin view, the tests and the benchmark all run the same code.
"""

import datetime
import functools
import re
from dataclasses import dataclass

from claims.intake.claimants import ORGANIZATION, PERSON, mentioned
from claims.intake.deadlines import SAME_PERIOD, Deadline, lower_same_length
from claims.intake.detection import detect
from claims.intake.quotes import quote_of
from claims.intake.sentences import Sentence, split_sentences
from claims.intake.targets import Target

# How far back a sentence without a named claimant looks for one ("It plans to ...").
CONTEXT_SENTENCES = 3


@dataclass(frozen=True)
class Candidate:
    sentence: str
    claimant: str | None
    claimant_kind: str
    deadline_text: str
    deadline_start: datetime.date | None
    deadline_end: datetime.date | None
    deadline_precision: str
    target: Target | None
    score: float
    offset: int  # where the sentence starts in the article
    quote: str = ""  # the words in quotation marks, if any (quotes.quote_of)

    def as_dict(self) -> dict:
        """The JSON shape of `extract_claims --format json` ("quote" only when there is one)."""
        shape = {
            "sentence": self.sentence,
            "claimant": self.claimant,
            "deadline_text": self.deadline_text,
            "deadline_start": self.deadline_start.isoformat() if self.deadline_start else None,
            "deadline_end": self.deadline_end.isoformat() if self.deadline_end else None,
            "deadline_precision": self.deadline_precision,
            "target": self.target.as_dict() if self.target else None,
            "score": self.score,
        }
        if self.quote:
            shape["quote"] = self.quote
        return shape


# "The company also plans ...", "The carrier will ...": a reference back to an organisation,
# which skips the analyst or executive quoted in between.
_ORGANIZATION_REFERENCE = re.compile(
    r"^(?:The|Its|This)\s+(?:[\w-]+\s+)?(?:company|group|firm|carrier|airline|carmaker|automaker|manufacturer"
    r"|maker|operator|business|utility|drugmaker|chipmaker|insurer|lender|bank|retailer|provider|startup|conglomerate"
    r"|airport|supplier|developer|producer)\b"
)


def _context_claimant(sentences: list[Sentence], index: int, *, same_paragraph: bool = False):
    """The nearest earlier attribution or named subject ("It plans ...", "The carmaker will ...").

    News paragraphs are a sentence or two, so the entity a sentence refers back to is often
    named in the paragraph before; but only one named in the same paragraph lifts the score
    of a sentence that would otherwise fall short of a candidate.
    """
    paragraph = sentences[index].paragraph
    organization_only = bool(_ORGANIZATION_REFERENCE.match(sentences[index].text))
    for earlier in sentences[max(0, index - CONTEXT_SENTENCES) : index][::-1]:
        if same_paragraph and earlier.paragraph != paragraph:
            break
        found = mentioned(earlier.text)
        if found and not (organization_only and found.kind == PERSON):
            return found
    return None


def extract(text: str, published_on: datetime.date | None = None, today: datetime.date | None = None):
    """Candidate claims of an article, in reading order.

    Relative deadlines resolve against published_on, or against today when the article
    has no date (pass the newsroom's today; the plain date.today() is the fallback).
    """
    reference = published_on or today or datetime.date.today()
    sentences = split_sentences(text)
    candidates = []
    for index, sentence in enumerate(sentences):
        in_paragraph = functools.partial(_context_claimant, sentences, index, same_paragraph=True)
        detection = detect(sentence.text, reference, context=in_paragraph)
        if detection is None:
            continue
        claimant = detection.claimant or _context_claimant(sentences, index)
        deadline = detection.deadline
        same = None if deadline.is_dated or not candidates else SAME_PERIOD.search(lower_same_length(sentence.text))
        if same:
            # "The automaker also plans ... over the same period": the period of the claim before
            earlier = candidates[-1]
            deadline = Deadline(
                sentence.text[same.start() : same.end()],
                earlier.deadline_start,
                earlier.deadline_end,
                earlier.deadline_precision,
                same.start(),
            )
        candidates.append(
            Candidate(
                sentence=sentence.text,
                claimant=claimant.name if claimant else None,
                claimant_kind=claimant.kind if claimant else ORGANIZATION,
                deadline_text=deadline.text,
                deadline_start=deadline.start,
                deadline_end=deadline.end,
                deadline_precision=deadline.precision,
                target=detection.target,
                score=detection.score,
                offset=sentence.start,
                quote=quote_of(sentence.text),
            )
        )
    return candidates
