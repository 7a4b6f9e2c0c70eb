"""Who makes a claim: an explicit attribution ("..., Renault said", "according to X"),
else the named subject of the sentence ("Nissan is expected to ...", "Renault's Ampere
unit plans ..." -> Ampere, "Renault's Twingo-based hatch aims ..." -> Renault).

Names are runs of capitalised words (with "for", "of", "de" ... inside, as in
"Transport for London"); words that merely start a sentence, nationalities, months
and places after a preposition are not names. A person is recognised by a role word
or an honorific before the name ("chief executive Luca de Meo", "Ms Smith"). The
extraction pipeline falls back to the nearest earlier attribution in the paragraph
when a sentence names nobody ("It plans to ...", "The company will ...").
"""

import re
from dataclasses import dataclass

ORGANIZATION, PERSON = "organization", "person"

_UPPER = "A-ZÀ-ÖØ-Þ"
_WORD = rf"[{_UPPER}][\w&.'’-]*"
_CONNECTOR = r"(?:for|of|de|du|des|la|le|van|von|der|den|del|di|y|&)"
NAME = re.compile(rf"(?<![\w-]){_WORD}(?:\s+(?:{_CONNECTOR}\s+)?{_WORD})*")

_REPORTING = (
    r"said|says|say|told|tells|announced|announces|confirmed|confirms|stated|states|added|adds|wrote|writes"
    r"|predicted|predicts|promised|promises|pledged|pledges|insisted|insists|expects|explained|explains"
)
_ACCORDING = re.compile(rf"\b(?i:according\s+to)\s+(?:the\s+)?(?P<who>{NAME.pattern})")
# ", Renault said." / ", chief executive Luca de Meo told analysts."
_TRAILING = re.compile(rf"[,;—–-]\s*(?P<who>[^,;]{{2,90}}?)\s+(?:{_REPORTING})\b[^,;]*$")
# ", said Renault." / ", said Luca de Meo, chief executive."
_TRAILING_INVERTED = re.compile(
    rf"[,;][\"”’']?\s*(?:{_REPORTING})\s+(?P<who>[^,;]{{2,90}}?)(?:,(?P<apposition>[^,;]*))?[.!]?[\"”’']?$"
)
_POSSESSIVE_UNIT = re.compile(
    rf"^\s*(?P<unit>{NAME.pattern})\s+(?:unit|division|arm|subsidiary|brand|business|affiliate|spin-off|venture"
    r"|joint venture|group|label|team|department|company|firm|operation|operations|subsidiary)\b"
)
_ROLE = re.compile(
    r"(?i:chief executive(?: officer)?|ceo|chief [a-z]+ officer|president|prime minister|minister|chancellor"
    r"|chair(?:man|woman|person)?|founder|co-founder|spokes(?:person|man|woman)|director|head|boss|secretary"
    r"|mayor|governor|commissioner|senator|secretary of state|analyst|executive)"
    rf"(?:\s+(?:of|at)\s+(?P<org>{NAME.pattern}))?,?\s+(?P<person>{NAME.pattern})\s*$"
)
_ROLE_WORD = re.compile(
    r"(?i)\b(?:chief|ceo|president|minister|chancellor|chair(?:man|woman|person)?|founder|spokes(?:person|man|woman)"
    r"|director|head|boss|secretary|mayor|governor|commissioner|senator|executive|analyst)\b"
)
_HONORIFIC = re.compile(rf"\b(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+(?P<person>{NAME.pattern})")

# Capitalised words that are not names (sentence starters, pronouns, calendar words).
_NOT_NAMES = frozenset(
    """the a an in on at by for from with without within under over after before during since until as if when
    while although though but and or so yet it its this that these those there here we our they their he she his
    her i you your last next early late later mid production sales prices shares according analysts critics
    nobody customers buyers drivers investors officials executives experts also however meanwhile still now
    today tomorrow yesterday monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december what why how who where which whether will would
    could should
    can may might must do does did is are was were has have had be been not no yes all some many most more
    both each every other another such one two three four five six seven eight nine ten first second third
    under-the-hood until then thus overall instead besides starting beginning despite plans
    construction charging exports total annual new local together anyone several delivery deliveries full-year
    half-year mass up down once where every any its their both either neither such only even just much
    chipmaker carmaker automaker drugmaker planemaker biotech airline operator regulator retailer insurer lender
    utility telco startup start-up brand group company firm maker manufacturer supplier developer""".split()
)
# Acronyms and product words that are capitalised without naming who speaks.
_NOT_CLAIMANTS = frozenset(
    """ev evs suv suvs gw gwh mw mwh kw kwh twh ceo cfo coo cto nda bla fttp ftth 5g 4g 3g 2g lfp nmc ai ipo
    hq gdp saf lng api ui co2 it pc tv""".split()
)
_NATIONALITIES = frozenset(
    """american british chinese japanese german french italian spanish dutch swedish norwegian danish finnish
    korean south indian canadian australian european swiss belgian austrian polish czech portuguese irish
    brazilian mexican turkish russian taiwanese vietnamese hungarian romanian greek saudi emirati israeli
    global international national western eastern northern southern""".split()
)
_PLACE_PREPOSITIONS = re.compile(r"\b(?:in|across|to|from|at|on|into|within|throughout|outside|for|of|than)\s+$")
_LEADING_CLAUSE = re.compile(
    r"^(?:In|By|On|At|From|Within|Under|After|Before|During|Since|Until|According to|Starting|Beginning|Over|Later"
    r"|Next|Also|However|Meanwhile|Separately|Elsewhere|Earlier|Last|This|Once|If|When|As|With|For|Despite"
    r"|Along|Alongside|Besides|Still|Now|Today)\b[^,]*,\s*"
)
_DESCRIPTOR_SUFFIX = re.compile(
    r"-(?:based|like|powered|made|built|owned|backed|led|style|sized|free|only|type|area|region|born)$"
)
# A trade before the name at the start of a sentence: "Enginemaker Corvex", "Chipmaker Arm".
_TRADE_WORD = re.compile(r"(?i)^[a-z]+maker$")


@dataclass(frozen=True)
class Claimant:
    name: str
    kind: str = ORGANIZATION


def _clean_name(raw: str) -> str | None:
    """Trim a run of capitalised words to the name it holds, or None."""
    words = raw.replace("’", "'").split()
    while words and words[0].lower().strip(".,") in _NOT_NAMES:
        words.pop(0)
    if len(words) > 1 and words[0].lower() in _NATIONALITIES and words[1][:1].islower():
        words.pop(0)
    while words and _DESCRIPTOR_SUFFIX.search(words[0]):
        words.pop(0)  # "Georgia-based Stryten Energy"
    if len(words) > 1 and _TRADE_WORD.match(words[0]):
        words.pop(0)  # "Enginemaker Corvex"
    kept = []
    for word in words:
        if _DESCRIPTOR_SUFFIX.search(word):
            break
        if word.endswith("'s"):
            kept.append(word[:-2])
            break
        kept.append(word)
    while kept and (kept[-1].lower() in _NOT_NAMES or kept[-1].lower() in _NATIONALITIES or len(kept[-1]) < 2):
        kept.pop()
    while kept and kept[-1].lower() in {"for", "of", "de", "du", "des", "la", "le", "van", "von", "der", "&"}:
        kept.pop()
    name = " ".join(kept).strip(".,;:'\"“”‘’")
    if not name or name.lower() in _NOT_NAMES or name.lower() in _NATIONALITIES or name.lower() in _NOT_CLAIMANTS:
        return None
    return name


def _names(text: str):
    """(name, possessive, text after the name) for each name, skipping places after prepositions."""
    for match in NAME.finditer(text):
        if _PLACE_PREPOSITIONS.search(text, max(0, match.start() - 12), match.start()):
            continue
        raw = match.group().replace("’", "'")
        name = _clean_name(raw)
        if not name:
            continue
        marker = name.split()[-1] + "'s"
        at = raw.find(marker)
        if at >= 0:
            yield name, True, text[match.start() + at + len(marker) :]
        else:
            yield name, False, text[match.end() :]


def _who(phrase: str) -> Claimant | None:
    """The claimant inside an attribution phrase such as "Nissan's chief executive Ivan Espinosa"."""
    phrase = phrase.strip().strip("\"“”'’")
    for name, possessive, _rest in _names(phrase):
        if possessive:
            return Claimant(name)  # "Nissan's chief executive ..." speaks for Nissan
        break
    role = _ROLE.search(phrase)
    if role:
        if role.group("org"):
            org = _clean_name(role.group("org"))
            if org:
                return Claimant(org)
        person = _clean_name(role.group("person"))
        return Claimant(person, PERSON) if person else None
    honorific = _HONORIFIC.search(phrase)
    if honorific:
        person = _clean_name(honorific.group("person"))
        return Claimant(person, PERSON) if person else None
    for name, _, _ in _names(phrase):
        return Claimant(name)
    return None


_ACCORDING_INSTITUTION = re.compile(
    r"\b(?i:according\s+to)\s+(?P<who>the\s+(?:[a-z-]+\s+){0,2}(?:ministry|government|department|agency|regulator"
    r"|authority|council|commission|watchdog|administration))\b"
)


def attribution(sentence: str) -> Claimant | None:
    """An explicit "X said" / "according to X" in the sentence."""
    match = _ACCORDING.search(sentence)
    if match:
        name = _clean_name(match.group("who"))
        if name:
            return Claimant(name)
    match = _ACCORDING_INSTITUTION.search(sentence)
    if match:
        return Claimant(match.group("who"))  # "according to the ministry" ("the airline" refers back)
    for pattern in (_TRAILING, _TRAILING_INVERTED):
        match = pattern.search(sentence)
        if match:
            found = _who(match.group("who"))
            apposition = match.groupdict().get("apposition") or ""
            if found and _ROLE_WORD.search(apposition):
                return Claimant(found.name, PERSON)  # "said Ivan Espinosa, Nissan's chief executive"
            if found:
                return found
    return None


_PRONOUN_SUBJECT = re.compile(r"^(?:It|They|He|She|We)\s+(?!said\b|says\b)[a-z]")
_VERBISH = re.compile(
    r"^\s*(?:is|are|was|were|has|have|had|will|would|could|should|can|may|must|does|did|said|says|told|announced"
    r"|confirmed|expects|aims|plans|intends|hopes|wants|believes|reckons|predicts|forecasts|also|now|still|on)\b"
)
_ORGANIZATION_NOUN = re.compile(
    r"^\s+(?:brand|group|company|firm|unit|division|team|airline|carrier|carmaker|automaker|operator|government"
    r"|ministry|council|agency|authority|utility|bank|consortium|alliance|venture|subsidiary|business|party)\b"
)
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|this|that|these|those|its|their|his|her|our)\s+$", re.IGNORECASE)
_LOWER_THEN_NAME = re.compile(rf"^\s+(?:[a-z][\w-]*\s+){{1,3}}(?={_WORD})")
# "The government has promised ...", "The telecoms regulator said ...", "The grid operator says ...":
# an institution introduced by what it is. (A company is not among them: "the carrier" refers back.)
_INSTITUTION = re.compile(
    r"^(?P<who>(?:the\s+)?(?:[a-z-]+\s+){0,2}(?:government|administration|council|ministry|commission|parliament"
    r"|cabinet|regulator|watchdog|agency|authority|grid\s+operator|network\s+operator|system\s+operator))\b",
    re.IGNORECASE,
)
# A plural common noun opening a sentence: "Airlines have complained ...", "Analysts expect ...".
_PLURAL_OPENING = re.compile(
    r"^[A-Z][a-z]+s\s+(?:have|are|were|say|expect|fear|warn|do|want|hope|plan|believe|worry|argue)\b"
)
# A common noun opening a sentence before a preposition: "Demand for combustion-engine parts ...".
_NOUN_THEN_PREPOSITION = re.compile(r"^\s+(?:for|of|at|in|from|on|with)\s+[a-z]")


def _role_person(name: str) -> str | None:
    """The person after a role: "UK Prime Minister Boris Johnson" -> "Boris Johnson"."""
    words = name.split()
    for index in range(len(words) - 1, -1, -1):
        if _ROLE_WORD.fullmatch(words[index]) or words[index].lower() in ("minister", "president", "ceo"):
            person = _clean_name(" ".join(words[index + 1 :]))
            return person if person and len(words) - index - 1 >= 2 else None
    return None


def subject(sentence: str, verb_at: int) -> Claimant | None:
    """The named subject before the main verb, after any leading clause ("In Europe, ...")."""
    head = sentence[:verb_at]
    clause = _LEADING_CLAUSE.match(head)
    if clause:
        head = head[clause.end() :]
    if _PRONOUN_SUBJECT.match(head) or _PLURAL_OPENING.match(head):
        return None  # "It has ordered 20 Airbus jets, ...": the names after the verb are not who speaks
    if _ROLE.search(head.rstrip(" ,")):
        return _who(head)  # "Chief executive Luca de Meo said ..."
    for match in NAME.finditer(head):
        if _PLACE_PREPOSITIONS.search(head, max(0, match.start() - 12), match.start()):
            continue
        raw = match.group().replace("’", "'")
        name = _clean_name(raw)
        if not name:
            continue
        person = _role_person(name)
        if person:
            return Claimant(person, PERSON)
        marker = name.split()[-1] + "'s"
        at = raw.find(marker)
        if at >= 0:
            rest = head[match.start() + at + len(marker) :]
            unit = _POSSESSIVE_UNIT.match(rest)
            unit_name = _clean_name(unit.group("unit")) if unit else None
            return Claimant(unit_name or name)  # "Renault's Ampere unit" -> Ampere; "Renault's hatch" -> Renault
        rest = head[match.end() :]
        if match.start() == 0 and " " not in name and _NOUN_THEN_PREPOSITION.match(rest):
            continue  # "Demand for parts has fallen": a common noun starting the sentence
        if _LOWER_THEN_NAME.match(rest) and not _VERBISH.match(rest):
            continue  # "UK altnet CityFibre", "Biotech firm Moderna": the descriptor before the name
        if (
            _DETERMINER_BEFORE.search(head, 0, match.start())
            and rest.strip()
            and not _VERBISH.match(rest)
            and not _ORGANIZATION_NOUN.match(rest)
        ):
            continue  # "The Michigan investments will ...": a name used as a modifier (not "the Alpine brand")
        return Claimant(name)
    institution = _INSTITUTION.match(head.strip())
    if institution:
        return Claimant(institution.group("who").lower())  # "The government has promised ..."
    return None


_SAID_BEFORE = re.compile(rf"\b(?:{_REPORTING})\b(?:\s+\w+){{0,4}}\s*$")  # "said on Tuesday that"
_PARTITIVE_BEFORE = re.compile(r"\b(?:first|last|rest|some|most|all|one|each|many|none|half|several)\s+of\s*$")
_RELATIVE_BEFORE = re.compile(r"(?:,\s*|\s)(?:which|that|who|whose\s+\w+(?:\s+\w+)?)\s+(?:\w+\s+){0,2}$")


def antecedent(sentence: str, cue_at: int) -> Claimant | None:
    """The claimant of a cue in a relative clause: "... Renault's budget hatch, which aims for ..." -> Renault."""
    relative = _RELATIVE_BEFORE.search(sentence, max(0, cue_at - 40), cue_at)
    if not relative or _SAID_BEFORE.search(sentence, max(0, relative.start() - 30), relative.start() + 1):
        return None  # "Varga said on Tuesday that the government will ...": what was said, not a relative clause
    if _PARTITIVE_BEFORE.search(sentence, max(0, relative.start() - 30), relative.start() + 1):
        return None  # "20 Airbus jets, the first of which are due ...": the things, not who speaks
    before = sentence[max(0, relative.start() - 60) : relative.start()]
    found = None
    for match in NAME.finditer(before):
        raw = match.group().replace("’", "'")
        name = _clean_name(raw)
        if name:
            found = name
    return Claimant(found) if found else None


# A capitalised word opening the sentence before a lower-case word that is no verb: "Electric trains".
_OPENING_MODIFIER = re.compile(
    r"^[A-Z][\w-]*\s+(?!(?:is|are|was|were|has|have|had|will|would|could|should|can|may|must|does|did|said|says"
    r"|told|plans|aims|expects|intends|hopes|wants|also|now|still)\b)[a-z]"
)


def claimant_of(sentence: str, verb_at: int) -> Claimant | None:
    """The sentence's own claimant: its named subject, else an explicit attribution.

    "Electric trains are expected to ..., according to the ministry": a capitalised word
    opening the sentence as a modifier yields to the attribution the sentence gives.
    """
    found = subject(sentence, verb_at)
    if found and " " not in found.name and sentence.startswith(found.name) and _OPENING_MODIFIER.match(sentence):
        return attribution(sentence) or found
    return found or attribution(sentence)


def mentioned(sentence: str) -> Claimant | None:
    """Who a sentence that is not itself a claim attributes things to, for the sentences after it."""
    half = sentence.find(" ", len(sentence) // 2)  # at a word's end: "Carden Airport will ..." keeps its "t"
    return attribution(sentence) or subject(sentence, half if half >= 0 else len(sentence))
