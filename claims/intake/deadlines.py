"""Deadline phrases: find the time phrase of a claim and resolve it to dates.

One compiled regex finds every period a sentence names (a year, a quarter, "next
year", "three years", "soon", ...); a second one, anchored at the end of the text just
before each period, reads the words that say how the period is meant ("by", "in",
"within", "the end of", "early", ...). Resolution follows the register's rules:

- "by <period>": start = the reference date (the article's publication date, or
  today), end = the end of the period ("by 2026" -> ref..2026-12-31, year);
- "in <period>" (also during, from, starting in, until, ...): the period itself
  ("in the second half of 2027" -> 2027-07-01..2027-12-31, half);
- "before <period>": ends the day before the period starts ("before 2030" ->
  ..2029-12-31);
- "within <duration>": ref..ref + duration ("within three years", precision year);
  "for <duration>" says how long something lasts ("for 10 years"), so it is no deadline;
- early / mid / late narrow a year to a half-year window (precision half) and a
  decade to its first four, middle three or last three years (precision decade);
- seasons are three-month windows (precision quarter), northern-hemisphere;
- a period without a year (Q3, October, spring) is the next one not yet over: in
  January, "winter" is the one still running; "29 February" is the next leap day;
- a period the calendar cannot hold ("within 999 decades") is no deadline;
- a phrase with no resolvable date ("soon", "in the coming years") is precision
  vague with no dates; no time phrase at all is precision none.

Explicit calendar dates ("15 March 2027", "March 15, 2027") are read by
python-dateutil; everything relative is resolved here because no library resolves
"the end of the decade" against a publication date the way the register needs.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from dateutil import parser as date_parser

DAY, MONTH, QUARTER, HALF, YEAR, DECADE, VAGUE, NONE = (
    "day", "month", "quarter", "half", "year", "decade", "vague", "none"
)  # fmt: skip


@dataclass(frozen=True)
class Deadline:
    text: str
    start: datetime.date | None
    end: datetime.date | None
    precision: str
    position: int = -1
    by_type: bool = False
    named: bool = False  # a year in a plan's name ("its Ambition 2030 plan"): a deadline only with a cue

    @property
    def is_dated(self) -> bool:
        return self.end is not None

    def is_past(self, reference: datetime.date) -> bool:
        return self.end is not None and self.end < reference


NO_DEADLINE = Deadline("", None, None, NONE)

# --- building blocks -------------------------------------------------------------
_YEAR = r"(?:19|20)\d{2}"
# Month names only when capitalised, so that the modal "may" is never a month.
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b\.?"
)
_MONTH_NUMBERS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}  # fmt: skip
_FULL_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december"}  # fmt: skip
# A month named alone ("in March") needs one of these before it: "to mar" or "they may" is no date.
_BARE_MONTH_LEADS = {"by", "in", "from", "until", "till", "before", "during", "starting", "starting in", "as of",
                     "no later than", "not until", "beginning in", "ahead of", "through"}  # fmt: skip
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18,
    "twenty": 20, "twenty-four": 24, "thirty": 30, "thirty-six": 36, "forty": 40, "fifty": 50,
}  # fmt: skip
_COUNT = r"(?:\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_ORDINAL = r"(?:first|second|third|fourth|1st|2nd|3rd|4th)"
# Spaces spelled \s+: PERIOD is a verbose regex, where a plain space matches nothing.
_YEARISH = rf"(?:{_YEAR}|this\s+year|next\s+year|the\s+year|the\s+current\s+year)"
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}

_VAGUE = (
    r"soon|shortly|eventually|someday|one day|before long|in due course|at a later (?:date|stage)"
    r"|in the (?:near |distant |not[ -]too[ -]distant )?future|in the (?:medium|long|short)[ -]term"
    r"|over the (?:medium|long|short)[ -]term"
    r"|in the (?:coming|next few|years|months) (?:years|months|weeks|decades|ahead)"
    r"|in the (?:years|months|decades) ahead|in (?:the )?coming (?:years|months|weeks|decades)"
    r"|(?:with)?in (?:the next )?(?:a few|several|some) (?:years|months|weeks)|within (?:months|weeks|years)"
    r"|at some point|down the road|over time"
).replace(" ", r"\s+")  # PERIOD is a verbose regex: spaces must be explicit

# The leading \b(?=[\da-z]) lets the engine skip most positions after one test instead
# of trying every alternative at every character (three times faster on a megabyte).
# PERIOD runs on the lower-cased sentence (same length, same offsets) without IGNORECASE:
# plain literals let the regex engine skip a failing alternative after one character, and
# the leading \b(?=[\da-z]) skips every position that does not start a word; together
# four times faster than a case-insensitive scan. A month therefore matches in any case;
# "may" and "mar" count as months only with a day, a year or a lead such as "in" (_period).
PERIOD = re.compile(
    rf"""(?x)
    \b(?=[\da-z])(?:
    (?P<vague>(?:{_VAGUE})\b)
  | (?P<iso>(?P<iso_y>{_YEAR})-(?P<iso_m>[01]\d)-(?P<iso_d>[0-3]\d)\b)
  | (?P<dmy>(?P<dmy_d>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dmy_m>{_MONTH})(?:,?\s+(?P<dmy_y>{_YEAR}))?\b)
  | (?P<mdy>(?P<mdy_m>{_MONTH})\s+(?P<mdy_d>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*%)(?:,?\s+(?P<mdy_y>{_YEAR}))?)
  | (?P<my>(?P<my_m>{_MONTH})(?:,?\s+(?:of\s+)?(?P<my_y>{_YEARISH}))?)
  | (?P<q>(?:q(?P<q_n1>[1-4])|(?P<q_n2>[1-4])q|(?P<q_ord>{_ORDINAL})[\s-]+quarter)\b
        (?:,?\s+(?:of\s+)?(?:the\s+)?(?:fiscal\s+)?(?P<q_y>{_YEARISH}))?)
  | (?P<h>(?:h(?P<h_n1>[12])|(?P<h_n2>[12])h|(?P<h_ord>first|second|1st|2nd)[\s-]+half)\b
        (?:,?\s+(?:of\s+)?(?:the\s+)?(?P<h_y>{_YEARISH}))?)
  | (?P<season>(?P<season_n>spring|summer|autumn|fall|winter)\b(?:\s+(?:of\s+)?(?P<season_y>{_YEAR}))?)
  | (?P<dec>(?P<dec_y>(?:19|20)\d0)['’]?s\b)
  | (?P<decade_rel>(?P<decade_w>this|next|the|current)\s+decade\b)
  | (?P<rel_year>(?:(?P<rel_year_w>this|next|the|current)\s+year\b|year[\s-]end\b))
  | (?P<rel_month>(?P<rel_month_w>this|next)\s+month\b)
  | (?P<rel_week>(?P<rel_week_w>this|next)\s+week\b)
  | (?P<rel_quarter>(?P<rel_quarter_w>this|next|the\s+current)\s+quarter\b)
  | (?P<dur>(?P<dur_n>{_COUNT})(?:\s*(?:to|-|–|or)\s*(?P<dur_n2>{_COUNT}))?\s+(?P<dur_u>day|week|month|year|decade)s?\b
        (?:['’]s?\s+time\b)?)
  | (?P<week_end>the\s+end\s+of\s+(?:the|this)\s+week\b)
  | (?P<weekday>(?P<weekday_n>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)
  | (?P<year>(?:(?:fiscal(?:\s+year)?|fy)\s?)?(?P<year_n>{_YEAR})(?:\s?[-–/]\s?(?P<year_to>(?:19|20)?\d{{2}}))?\b
        (?![-–]\d|\s*%))
    )"""
)

# The words just before a period say how it is meant: a lead ("by", "within", "in") and/or
# a modifier ("the end of", "early", "the next"). They are read by walking back over the
# words before the match (a dictionary look-up per word run), which costs far less than
# a regex anchored at the end, which would be tried at every position of the window.
_LEADS = {
    tuple(phrase.split())
    for phrase in """by|before|until|till|through|thru|in|during|from|for|around|as of|as early as|starting|starting in
    |starting from|beginning|beginning in|from early|within|over|ahead of|prior to|no later than|not later than
    |not until|until at least|on|at|after|later|towards|toward|as soon as|throughout|to|between|and|into|earlier
    |not before|no earlier than|in time for|as late as""".split("|")
}
_MODS = (
    {
        tuple(f"{prefix}{word}{suffix}".split())
        for prefix in ("", "the ", "the very ", "very ")
        for word in ("end", "close", "start", "beginning", "middle", "turn")
        for suffix in (" of", " of the")
    }
    | {
        tuple(f"{prefix}{word}{suffix}".split())
        for prefix in ("", "the ")
        for word in ("early", "late", "mid", "end", "start")
        for suffix in ("", " the")
    }
    | {("the", "next"), ("the", "coming"), ("the", "following"), ("next",), ("this",), ("this", "coming"), ("the",)}
)
_JOINERS = str.maketrans({"-": " ", "–": " "})
# Quotation marks and brackets before a lead ('"In 2020, ...') are not part of it; same length.
_QUOTES = str.maketrans({'"': " ", "“": " ", "”": " ", "(": " ", "[": " ", "‘": " "})


def _lead_and_mod(sentence: str, at: int) -> tuple[str, str, int]:
    """(lead, modifier, where the phrase starts) for the period that starts at `at`."""
    window_start = max(0, at - 40)
    window = sentence[window_start:at].lower().translate(_JOINERS).translate(_QUOTES)
    if not window or not window[-1].isspace():
        return "", "", at  # "x2026" or "(2026": nothing leads into the period
    words = window.split()
    run = len(words)
    while run and words[run - 1].isalpha():
        run -= 1
    words = words[run:]
    end = len(words)
    mod = lead = ""
    for size in range(min(5, end), 0, -1):
        if tuple(words[end - size : end]) in _MODS:
            mod, end = " ".join(words[end - size : end]), end - size
            break
    for size in range(min(4, end), 0, -1):
        if tuple(words[end - size : end]) in _LEADS:
            lead, end = " ".join(words[end - size : end]), end - size
            break
    if not (lead or mod):
        return "", "", at
    # The phrase starts at the first word used: find it walking back from the period.
    position = len(window)
    for word in reversed(words[end:]):
        position = window.rfind(word, 0, position)
    return lead, mod, window_start + position


_BY_LEADS = {"by", "no later than", "not later than", "later", "as soon as", "as late as"}
# "(at) the end of 2025" is due by then, as "by the end of 2025" is.
_END_OF_LEADS = {"", "at", "towards", "toward", "before", "until", "till"}
# Periods that bound from below or lie behind the speaker are no deadline.
_LOWER_BOUND_LEADS = {"after", "not before", "no earlier than", "earlier"}
_AT_THE_EARLIEST = re.compile(r"\s*,?\s*at\s+the\s+(?:very\s+)?earliest\b", re.IGNORECASE)
_REPORTED_ON = re.compile(
    r"\b(?:said|announced|reported|told|confirmed|stated|added|unveiled|presented|published|released|revealed"
    r"|disclosed|wrote|noted)\s+(?:on\s+)?$",
    re.IGNORECASE,
)
_MONTH_NAMES = "January|February|March|April|May|June|July|August|September|October|November|December"
# A capitalised name right after a year: "the 2030 World Cup", "the 2028 Summer Olympics".
_EVENT_AFTER = re.compile(rf"\s+(?!(?:{_MONTH_NAMES})\b)[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
_BEFORE_LEADS = {"before", "ahead of", "prior to"}
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
# A weekday after a verb in the past is when something happened ("approved the project on Monday").
_PAST_BEFORE = re.compile(
    r"\b(?:\w{3,}ed|said|told|met|held|spoke|wrote|made|gave|took|began|rose|fell|grew|sold|won|lost|saw|came|went"
    r"|says|last)\b(?:\s+\S+){0,5}\s*$"
)
# A period running up to a date is a reporting period: "in the six months to September", "the year to March".
_REPORTING_PERIOD_BEFORE = re.compile(r"\b(?:months?|weeks?|year|quarter|half|period)\s+$", re.IGNORECASE)
# Only when a date follows: in "over the next three years to extend the network" the "to" starts an aim.
_PERIOD_TO = re.compile(
    rf"\s+(?:to|through|ended|ending)\s+(?:the\s+end\s+of\s+)?(?:(?:{_MONTH_NAMES}|Sept?|Jan|Feb|Mar|Apr|Jun|Jul|Aug"
    r"|Oct|Nov|Dec)\b|\d)",
    re.IGNORECASE,
)
# A period counted from an event the text does not date: "within two years of starting service".
_FROM_EVENT = re.compile(
    r"\s+(?:of|after|from|following)\s+(?!(?:now|today|this|publication|the\s+announcement)\b)(?:the\s+|its\s+|their\s+)?"
    r"[a-z]"
)
# A year naming a plan: "its Ambition 2030 plan", "the 2030 ban": the plan is due in that year.
_PLAN_AFTER = re.compile(
    r"['’\"”]?\s+(?:plan|strategy|programme|program|agenda|vision|ban|target|targets|goal|goals|deadline|roadmap"
    r"|pledge|commitment|ambition)\b",
    re.IGNORECASE,
)
# Not "for": "for 10 years" says how long a commitment lasts, not when it is due.
_DURATION_LEADS = {"within", "in", "over", "during", "the next", "the coming"}
_DURATION_MODS = {"the next", "the coming", "the following", "next"}
_IN_LEADS = {
    "in", "during", "from", "for", "around", "as of", "as early as", "starting", "starting in", "starting from",
    "beginning", "beginning in", "from early", "not until", "until", "till", "through", "thru", "on", "at",
    "towards", "toward", "throughout", "until at least", "to", "between", "and", "into", "over",
}  # fmt: skip


def _month_number(name: str) -> int:
    return _MONTH_NUMBERS[name.rstrip(".")[:3]]


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _year_of(word: str | None, reference: datetime.date) -> int | None:
    if not word:
        return None
    word = word.lower()
    if word == "next year":
        return reference.year + 1
    if word in ("this year", "the year", "the current year"):
        return reference.year
    return int(word)


def _next_not_over(make_window, reference: datetime.date):
    """A period named without a year: the first one that has not ended yet.

    Last year's window comes first because a winter starts in one year and ends in the
    next: on 15 January the current winter is the one that began last December. Any
    other period of last year is over by then and is skipped.
    """
    for year in (reference.year - 1, reference.year):
        start, end = make_window(year)
        if end >= reference:
            return start, end
    return make_window(reference.year + 1)


def _quarter(n: int):
    return lambda year: (datetime.date(year, 3 * n - 2, 1), _month_end(year, 3 * n))


def _half(n: int):
    return lambda year: (datetime.date(year, 6 * n - 5, 1), _month_end(year, 6 * n))


def _month(m: int):
    return lambda year: (datetime.date(year, m, 1), _month_end(year, m))


def _season(name: str):
    first, last = _SEASONS[name]
    if first < last:
        return lambda year: (datetime.date(year, first, 1), _month_end(year, last))
    return lambda year: (datetime.date(year, first, 1), _month_end(year + 1, last))


# A leap year: month and day of a date named without a year are read against it, so that
# "29 February" is a real day whatever year the article appeared in.
_ANY_DAY_YEAR = 2000


def _explicit_day(text: str, year: str | None, reference: datetime.date):
    """A calendar day, read by dateutil; without a year, the next such day on or after the reference."""
    try:
        if year:
            day = date_parser.parse(text, default=datetime.datetime(int(year), 1, 1)).date()
            return day, day
        day = date_parser.parse(text, default=datetime.datetime(_ANY_DAY_YEAR, 1, 1)).date()
    except (ValueError, OverflowError):
        return None  # "31 April", "30 February 2027": no such day, so no deadline
    # 29 February comes back at most eight years later (2096 to 2104: 2100 is no leap year).
    for year_number in range(reference.year, reference.year + 9):
        if calendar.monthrange(year_number, day.month)[1] >= day.day:
            candidate = datetime.date(year_number, day.month, day.day)
            if candidate >= reference:
                return candidate, candidate
    return None


def _period(match: re.Match, reference: datetime.date, mod: str, lead: str):
    """(start, end, precision) of the period a match names, before lead and modifier apply."""
    group = match.lastgroup
    g = match.group
    if group == "iso":
        try:
            day = datetime.date(int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
        except ValueError:
            return None
        return day, day, DAY
    if group in ("dmy", "mdy"):
        prefix = group
        text = f"{g(prefix + '_d')} {g(prefix + '_m').rstrip('.')} {g(prefix + '_y') or ''}".strip()
        window = _explicit_day(text, g(prefix + "_y"), reference)
        return (*window, DAY) if window else None
    if group == "my":
        if not g("my_y") and (lead not in _BARE_MONTH_LEADS or g("my_m").rstrip(".") not in _FULL_MONTHS):
            return None
        make = _month(_month_number(g("my_m")))
        year = _year_of(g("my_y"), reference)
        return (*(make(year) if year else _next_not_over(make, reference)), MONTH)
    if group == "q":
        n = int(g("q_n1") or g("q_n2") or _ORDINALS[g("q_ord").lower()])
        year = _year_of(g("q_y"), reference)
        return (*(_quarter(n)(year) if year else _next_not_over(_quarter(n), reference)), QUARTER)
    if group == "h":
        n = int(g("h_n1") or g("h_n2") or _ORDINALS[g("h_ord").lower()])
        year = _year_of(g("h_y"), reference)
        return (*(_half(n)(year) if year else _next_not_over(_half(n), reference)), HALF)
    if group == "season":
        if not (g("season_y") or lead or mod not in ("", "the")):
            return None
        make = _season(g("season_n").lower())
        if g("season_y"):
            return (*make(int(g("season_y"))), QUARTER)
        if mod == "next":
            # "next summer" said in May is the one after the summer about to start.
            start, end = _next_not_over(make, reference)
            if start <= _add_months(reference, 3):
                start, end = make(start.year + 1)
            return start, end, QUARTER
        return (*_next_not_over(make, reference), QUARTER)
    if group == "dec":
        first = int(g("dec_y"))
        return datetime.date(first, 1, 1), datetime.date(first + 9, 12, 31), DECADE
    if group == "decade_rel":
        first = reference.year - reference.year % 10 + (10 if g("decade_w").lower() == "next" else 0)
        return datetime.date(first, 1, 1), datetime.date(first + 9, 12, 31), DECADE
    if group == "rel_year":
        word = (g("rel_year_w") or "this").lower()
        if word == "the" and not (mod or lead):
            return None
        year = reference.year + (1 if word == "next" else 0)
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31), YEAR
    if group == "rel_month":
        first = _add_months(reference.replace(day=1), 1 if g("rel_month_w").lower() == "next" else 0)
        return first, _month_end(first.year, first.month), MONTH
    if group == "rel_quarter":
        n = (reference.month - 1) // 3 + 1
        year = reference.year
        if g("rel_quarter_w").lower() == "next":
            n, year = (1, year + 1) if n == 4 else (n + 1, year)
        return (*_quarter(n)(year), QUARTER)
    if group == "year":
        if not lead and mod in ("", "the", "this", "next"):
            return None  # "the 2026 model", "its 2030 plan": a year that is no deadline
        year = int(g("year_n"))
        last = year
        if g("year_to"):  # "in 2027-2029", "2027-28"
            to = g("year_to")
            last = int(to) if len(to) == 4 else year // 100 * 100 + int(to)
            if last < year:
                return None
        return datetime.date(year, 1, 1), datetime.date(last, 12, 31), YEAR
    if group == "rel_week":
        sunday = reference + datetime.timedelta(days=6 - reference.weekday())
        if g("rel_week_w").lower() == "next":
            return sunday + datetime.timedelta(days=1), sunday + datetime.timedelta(days=7), DAY
        return reference, sunday, DAY
    if group == "weekday":
        # "will file on Monday": the next such day on or after the reference (a day already
        # past is told in the past tense, which _resolve leaves out).
        if lead not in ("on", "by", "until", "before") or mod:
            return None
        ahead = (_WEEKDAYS.index(g("weekday_n")) - reference.weekday()) % 7
        day = reference + datetime.timedelta(days=ahead)
        return day, day, DAY
    if group == "week_end":
        end = reference + datetime.timedelta(days=6 - reference.weekday())  # the Sunday of that week
        return reference, end, DAY
    return None


def _narrow(start, end, precision, mod: str):
    """Apply early / mid / late (and start of / end of, when not "by the end of")."""
    mod = mod.lower()
    if precision == YEAR:
        if any(word in mod for word in ("early", "start", "beginning", "turn")):
            return start, datetime.date(start.year, 6, 30), HALF
        if "mid" in mod or "middle" in mod:
            return datetime.date(start.year, 4, 1), datetime.date(start.year, 9, 30), HALF
        if "late" in mod or "end" in mod or "close" in mod:
            return datetime.date(start.year, 7, 1), end, HALF
    if precision == DECADE:
        if any(word in mod for word in ("early", "start", "beginning", "turn")):
            return start, datetime.date(start.year + 3, 12, 31), DECADE
        if "mid" in mod or "middle" in mod:
            return datetime.date(start.year + 4, 1, 1), datetime.date(start.year + 6, 12, 31), DECADE
        if "late" in mod or "end" in mod or "close" in mod:
            return datetime.date(start.year + 7, 1, 1), end, DECADE
    return start, end, precision


_DURATION_PRECISION = {"day": DAY, "week": DAY, "month": MONTH, "year": YEAR, "decade": DECADE}


def _duration(match: re.Match, reference: datetime.date):
    # "in two to three years": by the later bound
    count_word = (match.group("dur_n2") or match.group("dur_n")).lower()
    count = int(count_word) if count_word.isdigit() else _NUMBER_WORDS[count_word]
    unit = match.group("dur_u").lower()
    if unit == "day":
        end = reference + datetime.timedelta(days=count)
    elif unit == "week":
        end = reference + datetime.timedelta(weeks=count)
    else:
        end = _add_months(reference, count * {"month": 1, "year": 12, "decade": 120}[unit])
    return reference, end, _DURATION_PRECISION[unit]


def resolve(sentence: str, match: re.Match, reference: datetime.date) -> Deadline | None:
    """Turn one period match into a Deadline, or None when it is no deadline (e.g. "2026 model")."""
    try:
        return _resolve(sentence, match, reference)
    except (ValueError, OverflowError):
        # A period the calendar cannot hold ("within 999 decades", "next year" said in 9999,
        # a winter before year 1) gives no date to track, and must not stop the extraction.
        return None


def _resolve(sentence: str, match: re.Match, reference: datetime.date) -> Deadline | None:
    lead, mod, text_start = _lead_and_mod(sentence, match.start())
    text = sentence[text_start : match.end()].strip()
    if match.lastgroup == "vague":
        return Deadline(text, None, None, VAGUE, text_start)
    if match.lastgroup in ("dur", "rel_year") and _PERIOD_TO.match(sentence, match.end()):
        return None  # "in the six months to September", "in the year to March": a reporting period
    if match.lastgroup == "dur":
        if lead == "for" or (lead not in _DURATION_LEADS and mod not in _DURATION_MODS):
            return None  # "for (the next) 10 years" is how long, not by when
        if _FROM_EVENT.match(sentence, match.end()):
            # "within two years of starting service": due a while after an event, not after the article
            return Deadline(sentence[text_start : match.end()].strip(), None, None, VAGUE, text_start)
        start, end, precision = _duration(match, reference)
        return Deadline(text, start, end, precision, text_start, by_type=True)
    if lead in _LOWER_BOUND_LEADS or _AT_THE_EARLIEST.match(sentence, match.end()):
        return None  # "after 2027", "not before 2027", "in June 2026 at the earliest": a lower bound
    if (
        match.lastgroup == "year"
        and not lead
        and mod in ("", "the", "its")
        and _PLAN_AFTER.match(sentence, match.end())
    ):
        year = int(match.group("year_n"))
        return Deadline(
            sentence[text_start : match.end()].strip(),
            datetime.date(year, 1, 1),
            datetime.date(year, 12, 31),
            YEAR,
            text_start,
            named=True,
        )
    if _REPORTED_ON.search(sentence, max(0, text_start - 30), text_start):
        return None  # "said on March 31", "announced on 24 June 2024": when it was said, not by when
    if (
        match.lastgroup == "weekday" or (match.lastgroup == "rel_week" and match.group("rel_week_w") == "this")
    ) and _PAST_BEFORE.search(sentence, max(0, text_start - 60), text_start):
        return None  # "approved the project on Monday", "confirmed rumours this week": when it happened
    if lead == "to" and _REPORTING_PERIOD_BEFORE.search(sentence, max(0, text_start - 30), text_start):
        return None  # "in the six months to September 30": the end of a reporting period
    if match.lastgroup == "year" and mod in ("", "the") and (event := _EVENT_AFTER.match(sentence, match.end())):
        # "in time for the 2030 World Cup": the year names an event whose date the sentence does not give
        return Deadline(sentence[text_start : event.end()].strip(), None, None, VAGUE, text_start)
    period = _period(match, reference, mod, lead)
    if period is None:
        return None
    start, end, precision = period
    by_type = lead in _BY_LEADS or (
        lead in _END_OF_LEADS and mod.startswith(("the end", "end", "the close")) and match.lastgroup != "dec"
    )
    by_type = by_type or match.lastgroup == "week_end"
    ends_period = any(word in mod for word in ("end of", "close of"))
    if lead in _BEFORE_LEADS and not ends_period:
        # Ends the day before the period; a "before 2024" already past keeps only that day, so
        # that its start never falls after its end (a future one starts at the reference below).
        start = end = start - datetime.timedelta(days=1)
        by_type = True
    elif not (by_type and ends_period):
        start, end, precision = _narrow(start, end, precision, mod)
    if by_type:
        start = reference if reference <= end else start
    return Deadline(text, start, end, precision, text_start, by_type=by_type)


def lower_same_length(text: str) -> str:
    """text.lower() with the same offsets (only "İ" grows when lower-cased)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.replace("İ", "I").lower()


def find_deadlines(sentence: str, reference: datetime.date, lowered: str | None = None) -> list[Deadline]:
    """Every time phrase in the sentence that resolves to a deadline, in order."""
    found = []
    for match in PERIOD.finditer(lowered or lower_same_length(sentence)):
        deadline = resolve(sentence, match, reference)
        if deadline is not None:
            found.append(deadline)
    return found


def choose_deadline(deadlines: list[Deadline], reference: datetime.date) -> Deadline:
    """The claim's deadline: a future "by" phrase first, then any future date, then a vague one.

    Past phrases ("from 2016 levels", "founded in 2010") are never chosen while a future one
    exists; when only past ones exist the first is returned, so detection can see it.
    """
    dated = [d for d in deadlines if d.is_dated]
    future = [d for d in dated if not d.is_past(reference)]
    for deadline in future:
        if deadline.by_type:
            return deadline
    if future:
        return future[0]
    vague = [d for d in deadlines if not d.is_dated]
    if vague:
        return vague[0]
    return dated[0] if dated else NO_DEADLINE


# A period named by reference to the one before: "over the same period", "by that time".
SAME_PERIOD = re.compile(
    r"\b(?:(?:over|in|during|within|by|across|for)\s+the\s+same\s+(?:period|timeframe|time\s*frame|timescale|time"
    r"|span|window)|by\s+(?:that|this|the\s+same)\s+(?:time|date|point|deadline|year)|by\s+then)\b"
)


def parse_deadline(sentence: str, reference: datetime.date, lowered: str | None = None) -> Deadline:
    return choose_deadline(find_deadlines(sentence, reference, lowered), reference)
