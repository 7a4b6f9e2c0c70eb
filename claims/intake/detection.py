"""Is a sentence a forward-looking claim? Rules with a score, no model.

A sentence is a claim when it says that something will happen or be reached later:
a future cue ("will", "plans to", "aims for", "is expected to", "is coming to") or,
without one, a present-tense sentence with a future date ("Production starts in the
second half of 2027"). It is not a claim when it is a question, reports doubt
("whether X will come remains uncertain", "analysts doubt that ..."), withholds a
commitment ("did not say when", "has no plans to"), reports a plan of the past ("had
planned to launch by 2024", "In 2019, Amazon promised ..."), or its only dates are
already over when the article appeared ("sales rose in 2024").

Score (0..1): a strong cue 0.5, a weak one (could, may, might, should, would) 0.3; a
future date 0.3 (a vague one 0.15); a future date with no cue and no past-tense verb
another 0.25; a measurable target 0.1; a named claimant 0.1. A candidate needs 0.5.
"""

import datetime
import re
from dataclasses import dataclass

from claims.intake.claimants import Claimant, antecedent, claimant_of
from claims.intake.deadlines import NO_DEADLINE, Deadline, lower_same_length, parse_deadline
from claims.intake.targets import Target, parse_target

THRESHOLD = 0.5

# STRONG_CUE, _FUTURE_WORDS, _REJECT and _PAST_VERB run on the lower-cased sentence
# (see deadlines.PERIOD for why); WEAK_CUE runs on the sentence as written.
STRONG_CUE = re.compile(
    r"""(?x)\b(?=[a-z])(?:
        (?:goal|aim|ambition|target|objective|plan|idea)\s+is\s+(?:for\s+\w+\s+)?to
      | will|shall|won['’]t|(?<=[a-z])['’]ll|is\s+going\s+to|are\s+going\s+to|(?:is|are)\s+gearing\s+up
      | (?:is|are|was|were)\s+(?:also\s+|now\s+|still\s+)?(?:set|due|expected|scheduled|slated|poised|meant
          |supposed|planned|preparing|about|forecast|projected|hoped|intended|targeted|tipped)\s+to
      | due\s+(?:in|by|for|to)|expected\s+to|scheduled\s+(?:for|to)|slated\s+(?:for|to)|planned\s+for
      | (?:is|are|remains?|stays?)\s+on\s+(?:track|course)|(?:is|are)\s+to\s+(?!blame\b)[a-z]+|(?:is|are)\s+coming\s+to
      | plans?|planning|aims?|aiming|intends?|intending|targets?\s+(?:a|an|the|\d)|targeting|targetting
      | (?:has|have)\s+targeted|(?:has|have)\s+(?:agreed|undertaken|committed|decided|pledged|promised|vowed)\s+to
      | pledged|pledges?|promised|promises?|vowed|vows?|commits?\s+to|committed\s+to|hopes?\s+to|wants?\s+to
      | seeks?\s+to|expects?|(?:now\s+)?expected\s+(?:the|its|their|his|her|it|them)\b|anticipates?
      | predicts?\s+(?:that\s+)?|forecasts?
      | it\s+is\s+hoped\s+that|(?:we|they)\s+anticipate
      | (?:pushed|put|moved)\s+back\s+(?:to|until)|(?:delayed|postponed|deferred)\s+(?:to|until)|slipped\s+(?:to|into)
      | (?:said|says|told|announced|confirmed|added)\s+(?:that\s+)?(?:it|they|he|she|(?:the|its|their)\s+\w+|[a-z]+)
          \s+would
      | (?:signed|struck|agreed|reached|sealed|inked)\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}?(?:deal|contract|agreement)
          (?:\s+with\s+[^,;]{1,60}?)?\s+to\s+(?!date\b)[a-z]+
    )\b""",
)
# A cue word used as a noun ("their fleet plans", "earlier plans", "its previous aim") is no cue.
_NOUN_CUES = frozenset(
    "plan plans aim aims target targets promise promises pledge pledges hope hopes forecast forecasts vow vows".split()
)
_DETERMINERS = frozenset(
    """the a an its their his her our your my this that these those earlier previous original new fleet
    ambitious expansion investment business growth production spending climate""".split()
)
# Cues in the past tense: after a past opening ("In 2019, Amazon promised ...") the plan is history.
_PAST_CUES = (
    "promised", "pledged", "vowed", "planned", "committed", "was ", "were ", "expected the", "expected its",
    "said", "told", "announced", "confirmed", "added", "would", "should",
)  # fmt: skip
# Hedges: "could", "may", "might", "likely to" alone say what is possible, not what someone undertakes
# ("Total investment could top $100 billion", "a report claimed the medicine could bring in ...").
_HEDGES = frozenset(("could", "may", "might"))
# Saying one would weigh something is no undertaking: "They said they would consider a legal challenge."
_TENTATIVE = re.compile(r"\b(?:would|could|might|may)\s+(?:consider|think\s+about|look\s+(?:at|into)|explore)\b")
# A past reporting verb before a cue noun: "In 2021, Nissan announced plans to spend ...".
_PAST_REPORTING = frozenset("announced unveiled outlined revealed detailed presented set laid".split())
# Lower case only: "May" is a month.
WEAK_CUE = re.compile(
    r"\b(?:should|could|may|might|(?<!that\s)(?<!which\s)would|likely\s+to|(?:is|are)\s+(?:working\s+(?:on|to)|investing|spending|developing|preparing))\b"
)
# Future words a sentence may carry without a verbal cue, for the cheap pre-filter.
_FUTURE_WORDS = re.compile(
    r"\b(?:20[2-9]\d|20[2-9]0s|next|soon|within|coming|later|early|mid|late|q[1-4]|h[12]|quarter|half"
    r"|decade|upcoming|from|starting|until|by)\b"
)
_QUESTION_END = ("?", '?"', "?”", "?'", "?’", "?)")
# Three kinds of sentence that mention the future without claiming it, in one scan:
# doubt ("whether X will come remains uncertain"), a withheld commitment ("did not say
# when", "has no plans to") and a plan of the past ("had planned to", "was originally
# scheduled to").
_REJECT = re.compile(
    r"""(?x)\b(?=[a-z])(?:
    (?P<doubt>
      \b(?:whether|if)\b.{0,160}\b(?:remains?|is|are|was|seems?)\s+(?:still\s+)?(?:uncertain|unclear|unknown
        |doubtful|in\s+doubt|an\s+open\s+question|far\s+from\s+certain|not\s+certain)
    | \b(?:unclear|uncertain|not\s+clear|unknown|doubtful|in\s+doubt|unsure|not\s+sure)\s+(?:whether|if|when|how)\b
    | \bremains?\s+to\s+be\s+seen\b|\b(?:nobody|no\s+one)\s+knows\b
    | \b(?:doubts?|doubted|doubting|questions?|questioned|questioning|wonders?|wondered|sceptical|skeptical
        |cast\s+doubt\s+on|scepticism|skepticism)\s+(?:that|whether|if|about|over)\b
    | \b(?:it['’]s|it\s+is|it\s+was|seems|is\s+it)\s+(?:very\s+|highly\s+|most\s+)?(?:likely|possible|probable)\s+that\b
    | \braises?\s+hopes?\s+that\b|\bthere\s+will\s+likely\b
    | \b(?:will\s+not|won['’]t|cannot|can['’]t)\s+(?:\w+\s+)?(?:reach|meet|hit|achieve|make|get\s+to)
        \s+(?:its|their|the|a)\b
    | \b(?:recommends?|recommended|recommending|urges?|urged|urging|(?<!plans\s)calls?\s+for|called\s+for)\b)
  | (?P<opinion>
      \b(?:i|we)\s+(?:\w+\s+)?(?:believe|think|reckon|guess|suspect|feel)\b
    | \bmy\s+(?:guess|view|feeling|hunch|sense|bet)\b|\breckons?\b|\bin\s+(?:my|our)\s+(?:view|opinion)\b)
  | (?P<withheld>
      \b(?:declined|refused|would\s+not|wouldn['’]t|did\s+not|didn['’]t|does\s+not|doesn['’]t|do\s+not|don['’]t|could\s+not)\s+
        (?:to\s+)?(?:say|comment|confirm|disclose|give|specify|reveal|provide|set|commit|want|plan|intend|expect)\b
    | \b(?:has|have|had)\s+no\s+(?:plans?|intention|timeline|timetable|date)\b
    | \b(?:has|have|had|is|are)\s+not\s+(?:yet\s+)?(?:been\s+)?
        (?:confirmed|announced|decided|disclosed|known|finali[sz]ed)\b
    | \bno\s+(?:plans?|timeline|timetable|date\s+has\s+been|launch\s+date)\b|\bruled\s+out\b|\bshelved\b|\bscrapped\b)
  | (?P<past_plan>
      \b(?:had|was|were)\s+(?:originally\s+|initially\s+|previously\s+|once\s+|also\s+)?(?:planned|expected
        |scheduled|supposed|due|set|slated|meant|intended|hoped|promised|aimed|targeted|pledged|hoping|planning)\b
    | (?<!than\s)\b(?:originally|initially|previously)\s+(?:planned|expected|scheduled|promised|targeted|slated|set
        |due|meant|intended|supposed|earmarked)\b
    | \b(?:plans?|aims?|goals?|targets?|promises?|pledges?|ambitions?|intentions?)\s+(?:was|were|had\s+been)\b
    | \bhad\s+(?:hoped|planned|promised|aimed|wanted|intended)\b
    | \bhad\s+(?:previously\s+|earlier\s+|originally\s+|initially\s+)(?:said|announced|forecast|predicted|told)\b
    | \bhad\s+been\s+(?:expected|planned|scheduled|due|set|slated|meant|intended|promised|targeted)\b
    | \b(?:previous|earlier|original|former|old)\s+(?:\w+\s+)?(?:plans?|aims?|goals?|targets?|promises?|pledges?
        |ambitions?|forecasts?|guidance|timetables?|schedules?|deadlines?)\b)
    )"""
)
_REPORTED = re.compile(r"(?i)\b(?:said|says|told|announced|confirmed|added|stated)\b")
_PAST_OPENING = re.compile(
    r"^(?:In|By|Back\s+in|During|Until)\s+(?P<year>(?:19|20)\d{2})\b"
    r"|^(?:In|Back\s+in)\s+(?:early\s+|late\s+|mid-?)?(?P<month>January|February|March|April|May|June|July|August"
    r"|September|October|November|December)\b(?!\s*(?:\d|of\s+\d|next|this))|^(?:Last\s+(?:year|month|week)|Earlier\s+this"
    r"\s+year|Previously|In\s+the\s+past|Years\s+ago)\b"
)
_PAST_TIME = re.compile(
    r"\b(?:earlier\s+this\s+(?:week|month|year)|last\s+(?:week|month|year|quarter)|yesterday|\w+\s+(?:days|weeks|months|years)\s+ago)\b"
)
_HYPOTHETICAL = re.compile(r"\b(?:that|which|who)\s+would\b")
_SAID_THEN = re.compile(
    r"\b(?:said|announced|stated|promised|pledged|told\s+\w+)\s+(?:in|on|back\s+in)\s+(?:[A-Z]\w+\s+)?(?:\d{1,2},?\s+)?"
    r"(?P<year>(?:19|20)\d{2})\b"
)
_PAST_VERB = re.compile(
    r"""(?x)\b(?:was|were|had|did|has\s+been|have\s+been|rose|fell|grew|dropped|declined|increased|decreased
    |posted|reported|opened|closed|launched|founded|established|built|sold|made|began|became|took|came|went|won|lost
    |saw|bought|spent|paid|left|held|kept|ended|started|entered|retired|cancelled|canceled|switched|adopted
    |published|covered|delayed|unveiled|introduced|completed|missed|reached|hit|struggled|carried|posted|recorded
    |accepted|approved|granted|signed|agreed|awarded|submitted|filed|received|released
    |revealed|named|appointed|acquired|invested|showed|shown|presented|raised|lowered|increased|doubled
    |averaged|totalled|totaled|climbed|jumped|slipped|surged|plunged|soared|gained|ordered|recorded|generated)\b"""
)
# A year named in the text: a period without one after a verb in the past is when it happened.
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


@dataclass(frozen=True)
class Detection:
    score: float
    deadline: Deadline
    target: Target | None
    claimant: Claimant | None  # named in the sentence itself


# "forecasts" is a verb after its subject ("Ryanair forecasts", "the airline forecasts"), else a noun
# ("missed delivery forecasts").
_INDIRECT_QUESTION = re.compile(r"(?i)\b(?:how|what|whether|why|where)\b(?:\s+\S+){1,3}\s*$")
_FORECAST_SUBJECTS = frozenset(
    "it they he she we which who also now still company group firm airline carmaker government bank analysts".split()
)


def _strong_cue(sentence: str, lowered: str) -> re.Match | None:
    """The first future cue that is a verb: "plans to" is one, "their fleet plans" is not."""
    for found in STRONG_CUE.finditer(lowered):
        word = found.group().split(None, 1)[0]
        before = sentence[max(0, found.start() - 30) : found.start()].split()
        if word in _NOUN_CUES:
            previous = before[-1].strip(",;:'’\"“”") if before else ""
            if previous.lower() in _DETERMINERS:
                continue  # "their fleet plans", "earlier plans"
            if previous.isupper() and len(before) > 1 and before[-2].lower() in _DETERMINERS:
                continue  # "its EV plans"
            if word.startswith("forecast") and not (previous[:1].isupper() or previous in _FORECAST_SUBJECTS):
                continue
        if word in ("will", "would", "shall") and _INDIRECT_QUESTION.search(" ".join(before[-4:])):
            continue  # "how customers will accept ...": an indirect question, not a commitment
        return found
    return None


_MONTHS = "- January February March April May June July August September October November December".split()
_CRITICS = re.compile(
    r"(?i)^(?:\w+\s+)?(?:critics|campaigners|environmental(?:ist)?s?(?:\s+groups?)?|opponents|unions?|union\s+leaders"
    r"|residents|lobby\s+groups?|consumer\s+groups?|economists|experts)\b[^,]{0,40}?"
    r"\b(?:said|say|says|warned|warn|warns|argued|argue|argues|fear|fears|feared|claimed|claim|claims)\b"
)
_CONDITIONAL_OPENING = re.compile(r"^(?:If|Unless|Should|Were|Provided(?:\s+that)?|Assuming)\b")
_CONCESSIVE_OPENING = re.compile(r"^(?:While|Although|Though|Even\s+though|Whereas|Whether\s+or\s+not)\b[^,]*,")


def _is_rejected(sentence: str, lowered: str, reference: datetime.date, cue: re.Match | None) -> bool:
    if sentence.rstrip().endswith(_QUESTION_END):
        return True
    if _CRITICS.match(sentence):
        return True  # "Environmental groups said the zones would ...": what critics warn, not a commitment
    if _CONDITIONAL_OPENING.match(sentence):
        return True  # "If approved, the drug will be the first ...": a condition, not a commitment
    concession = _CONCESSIVE_OPENING.match(sentence)
    for found in _REJECT.finditer(lowered):
        if concession and found.end() <= concession.end() and cue and cue.start() >= concession.end():
            continue  # "While it is unclear how much it will cost, the aim is to ...": the doubt is aside
        if found.lastgroup in ("doubt", "opinion"):
            return True  # doubt, or a belief ("We believe ...", "My guess is ..."): an opinion, not a claim
        if found.lastgroup == "withheld":
            # "did not say when it will ..." withholds the claim; but in "X is coming to the US,
            # although no date was given" the claim stands in its own clause before the remark.
            if cue is None or found.start() <= cue.start() or "," not in sentence[cue.end() : found.start()]:
                return True
        elif not _REPORTED.search(sentence, 0, found.start()):
            return True  # "had planned to ..."; but "said the car was expected to ..." is reported speech
    said_then = _SAID_THEN.search(sentence)
    if (
        said_then
        and int(said_then.group("year")) < reference.year
        and (cue is None or cue.group().startswith(_PAST_CUES))
    ):
        return True  # "The airline said in July 2022 that it would buy ...": what was said then
    opening = _PAST_OPENING.match(sentence)
    if opening and opening.group("month") and cue is None and _MONTHS.index(opening.group("month")) >= reference.month:
        opening = None  # "In October, production starts ..." said in May: a month still ahead
    if opening and (not opening.group("year") or int(opening.group("year")) < reference.year):
        # "Last year the airline carried ...", "In 2019, Amazon promised ...": history. But in
        # "Earlier this month, Toyota said it will break ground ..." the plan itself is still ahead.
        # A month named alone at the start is history only when told in the past: "In March, the
        # operator said it would ...", "In May the airline forecast ..."; "In March, it will ..." stands.
        if cue is None or cue.group().startswith(_PAST_CUES) or cue.group() == "forecast":
            return True
        before = sentence[max(0, cue.start() - 20) : cue.start()].split()
        if before and before[-1].lower() in _PAST_REPORTING:
            return True  # "In 2021, Nissan announced plans to ...": the plan as it was then
    return False


def detect(sentence: str, reference: datetime.date, context=None) -> Detection | None:
    """The detection for a forward-looking claim, or None.

    context, when given, is a function returning the claimant named in the sentences before
    (for "It will ...", "The carmaker plans ..."): a claim attributed from context scores as one
    attributed in the sentence.
    """
    lowered = lower_same_length(sentence)
    strong = _strong_cue(sentence, lowered)
    weak = None if strong else WEAK_CUE.search(sentence)
    if weak and (weak.group() in _HEDGES or weak.group().startswith("likely")):
        return None  # "could top $100 billion", "are likely to shrink": a possibility, not a claim
    if not (strong or weak or _FUTURE_WORDS.search(lowered)):
        return None  # the cheap pre-filter: no future cue and no future-ish time word
    if _is_rejected(sentence, lowered, reference, strong or weak):
        return None
    deadline = parse_deadline(sentence, reference, lowered)
    if deadline.is_dated and deadline.is_past(reference):
        return None  # its only dates are over: history, not a claim
    if not (strong or weak) and deadline.position > 0 and _HYPOTHETICAL.search(lowered, 0, deadline.position):
        return None  # "proposals that would require ... by 2028": the date belongs to a hypothetical
    if not (strong or weak) and _PAST_TIME.search(lowered):
        return None  # "ordered 300 jets earlier this month for delivery from 2027": told as done
    if (
        not (strong or weak)
        and deadline.is_dated
        and not _YEAR.search(deadline.text)
        and _PAST_VERB.search(lowered, 0, max(deadline.position, 0))
    ):
        # "load factor averaged 91% in the fourth quarter", "lost 17% of their body weight over
        # 68 weeks": with no cue, a period with no year after a past verb is when it happened.
        return None
    if _TENTATIVE.search(lowered):
        return None  # "They said they would consider a legal challenge": weighing it, not undertaking it
    if deadline.named and not (strong or weak):
        return None  # "asked the minister about the 2030 target": a plan's name, no claim
    score = 0.5 if strong else 0.3 if weak else 0.0
    if deadline.is_dated:
        score += 0.3
        if not (strong or weak) and not _PAST_VERB.search(lowered):
            score += 0.25  # "Production starts in the second half of 2027."
    elif deadline is not NO_DEADLINE:
        score += 0.15
    if score + 0.2 < THRESHOLD:
        return None  # even a target and a claimant could not lift it
    target = parse_target(sentence, lowered)
    if target:
        score += 0.1
    cue = strong or weak
    # The claimant is named before the cue (or before the date when there is no cue).
    verb_at = cue.start() if cue else (deadline.position if deadline.position >= 0 else len(sentence))
    claimant = (antecedent(sentence, cue.start()) if cue else None) or claimant_of(sentence, verb_at)
    if claimant is None and context is not None and score < THRESHOLD:
        claimant = context()
    if claimant:
        score += 0.1
    if score < THRESHOLD:
        return None
    return Detection(round(min(score, 1.0), 2), deadline, target, claimant)
