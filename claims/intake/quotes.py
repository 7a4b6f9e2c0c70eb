"""A claim's quote: only the words the article puts inside quotation marks.

The register's ``Claim.quote`` is a verbatim excerpt of what the claimant said. A
journalist's own sentence ("Renault's budget hatch aims for a starting price under
20,000 EUR") paraphrases; it is never the quote. Spans inside double quotation marks
("…", “…”, «…», „…“) are the quote, joined with " … " when a sentence has several,
without the marks themselves (the page adds its own, so they would show twice) and
without the comma that hands over to "she said". Single quotes are not read: in
English text they are mostly apostrophes. Spans of fewer than four words are names or
scare quotes ("Ambition 2030", the "stretch goal"), not speech.
"""

import re

MIN_WORDS = 4
_SPAN = re.compile(r'"([^"]+)"|“([^”“]+)”|«\s*([^»«]+?)\s*»|„([^“”„]+)[“”]')
_TRAILING = " ,;:–—-"


def quote_of(sentence: str) -> str:
    spans = []
    for match in _SPAN.finditer(sentence):
        span = next(group for group in match.groups() if group is not None).strip().rstrip(_TRAILING).strip()
        if len(span.split()) >= MIN_WORDS:
            spans.append(span)
    return " … ".join(spans)
