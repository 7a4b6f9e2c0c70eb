"""Measurable targets: "a starting price under 20,000 EUR" -> starting price < 20000 EUR.

One compiled regex finds amounts with what they measure (money, durations, distances,
energy and power, percentages, counts of things) and the comparator words just before
them. price-parser reads the numbers, so "20,000", "20.000", "20 000" and "19.990,50"
all read as written; multipliers ("1.5 billion", "€2bn", "half a million"), currency
symbols before or after the amount ("20 000 €") and names, and the units are
normalised here. Numbers written as words ("three", "two million") and multiples
("double", "tripling", "fivefold": value 3 in unit x) count too.

The comparator comes from the words just before the amount ("under" <, "up to" <=,
"more than" >, "at least" >=, "or less" after it <=), else from what the sentence does
with it: an aim to make, sell, deliver, build, launch, cover, reach or add an amount is
at least that amount (>=, "plans to build two million cars a year"); a range ("10 to 12
minutes", "$1 billion to $4 billion") is at most its upper bound; cutting something to
an amount is at most it, raising it to an amount at least it; an amount invested, spent
or paid, and a change "by 40 percent", is that amount (=). The starting level of "from
13GW to 30GW" is not the target. What is measured is named from the words before the
amount ("starting price", "recharge time") or from what is made, sold or covered
("electric vehicles sold"), not from the unit's category.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from price_parser import Price


@dataclass(frozen=True)
class Target:
    quantity: str
    comparator: str
    value: Decimal
    unit: str
    text: str

    def as_dict(self) -> dict:
        return {
            "quantity": self.quantity,
            "comparator": self.comparator,
            "value": int(self.value) if self.value == self.value.to_integral_value() else float(self.value),
            "unit": self.unit,
        }


_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "US$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "A$": "AUD", "C$": "CAD"}
_CURRENCY_WORDS = {
    "euro": "EUR", "euros": "EUR", "eur": "EUR", "dollar": "USD", "dollars": "USD", "usd": "USD",
    "pound": "GBP", "pounds": "GBP", "gbp": "GBP", "yuan": "CNY", "renminbi": "CNY", "cny": "CNY", "rmb": "CNY",
    "yen": "JPY", "jpy": "JPY", "rupees": "INR", "inr": "INR", "chf": "CHF", "francs": "CHF", "swiss francs": "CHF",
    "sek": "SEK", "kronor": "SEK", "nok": "NOK", "dkk": "DKK", "cad": "CAD", "aud": "AUD", "won": "KRW", "krw": "KRW",
}  # fmt: skip
_MULTIPLIERS = {
    "thousand": 10**3, "k": 10**3, "million": 10**6, "mn": 10**6, "m": 10**6, "billion": 10**9, "bn": 10**9,
    "b": 10**9, "trillion": 10**12, "tn": 10**12,
}  # fmt: skip
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100, "half a": 0.5, "a": 1,
}  # fmt: skip
# "a" counts only before a multiplier ("a million"), never alone.
_NEEDS_MULTIPLIER = {"a", "half a", "a hundred"}
_UNITS = {
    "minutes": "min", "minute": "min", "mins": "min", "min": "min", "hours": "h", "hour": "h", "hrs": "h", "h": "h",
    "seconds": "s", "second": "s", "secs": "s", "sec": "s",
    "kilometres": "km", "kilometers": "km", "kilometre": "km", "kilometer": "km", "km": "km",
    "miles": "mi", "mile": "mi", "mi": "mi", "metres": "m", "meters": "m",
    "wh/kg": "Wh/kg", "kwh": "kWh", "mwh": "MWh", "gwh": "GWh", "twh": "TWh",
    "kw": "kW", "mw": "MW", "gw": "GW", "tw": "TW",
    "%": "%", "percent": "%", "per cent": "%", "pc": "%", "percentage points": "pp",
    "tonnes": "t", "tons": "t", "tonnes of co2": "t CO2", "mph": "mph", "km/h": "km/h",
    "gigawatt-hours": "GWh", "gigawatt hours": "GWh", "megawatt-hours": "MWh", "megawatt hours": "MWh",
    "terawatt-hours": "TWh", "terawatt hours": "TWh", "kilowatt-hours": "kWh", "kilowatt hours": "kWh",
    "gigawatts": "GW", "gigawatt": "GW", "megawatts": "MW", "megawatt": "MW", "kilowatts": "kW",
    "gallons": "gal", "litres": "l", "liters": "l", "barrels": "bbl", "hectares": "ha",
}  # fmt: skip
_KINDS = {
    "min": "duration", "h": "duration", "s": "duration", "km": "distance", "mi": "distance", "m": "distance",
    "Wh/kg": "energy density", "kWh": "energy", "MWh": "energy", "GWh": "energy", "TWh": "energy",
    "kW": "power", "MW": "power", "GW": "power", "TW": "power", "%": "share", "pp": "share",
    "t": "mass", "t CO2": "emissions", "mph": "speed", "km/h": "speed", "gal": "volume", "l": "volume",
    "bbl": "volume", "ha": "area",
}  # fmt: skip

# Comparator words, longest first so that "no more than" wins over "more than".
_COMPARATORS = [
    ("no more than", "<="), ("not more than", "<="), ("no higher than", "<="), ("at most", "<="),
    ("not exceed", "<="), ("not to exceed", "<="), ("never exceed", "<="),
    ("a maximum of", "<="), ("maximum of", "<="), ("up to", "<="), ("within", "<="), ("in", "<="),
    ("no less than", ">="), ("not less than", ">="), ("at least", ">="), ("a minimum of", ">="),
    ("minimum of", ">="), ("reach", ">="), ("reaching", ">="), ("hit", ">="), ("achieve", ">="),
    ("as many as", "<="), ("as much as", "<="), ("as high as", "<="), ("capped at", "<="),
    ("less than", "<"), ("fewer than", "<"), ("lower than", "<"), ("under", "<"), ("below", "<"), ("sub-", "<"),
    ("more than", ">"), ("greater than", ">"), ("higher than", ">"), ("over", ">"), ("above", ">"),
    ("exceeding", ">"), ("exceed", ">"), ("in excess of", ">"), ("upwards of", ">"), ("top", ">"), ("surpass", ">"),
    ("about", "="), ("around", "="), ("roughly", "="), ("approximately", "="), ("some", "="), ("nearly", "="),
    ("close to", "="), ("exactly", "="), ("on track for", ">="), ("on course for", ">="),
    ("target of", ">="), ("goal of", ">="), ("aim of", ">="),
    ("ambition of", ">="), ("of", "="), ("to", "="), ("by", "="), ("at", "="),
]  # fmt: skip
_COMPARATOR_OF = dict(_COMPARATORS)

_DIGITS = r"(?:\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
_WORDS = r"(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)).replace(" ", r"\s+") + r")"
_MULT = r"(?:\s?(?:thousand|million|billion|trillion|bn|mn|tn|[kmb])\b)"
_CURRENCY_WORD = r"(?:" + "|".join(sorted(_CURRENCY_WORDS, key=len, reverse=True)) + r")"
_UNIT = r"(?:" + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True)) + r")"
_COMPARATOR = r"(?:" + "|".join(re.escape(c) for c, _ in _COMPARATORS) + r")"
# Plural nouns that follow a number without being a target (the deadline owns durations).
_NOT_COUNTED = (
    r"years|months|weeks|days|decades|quarters|times|levels|percent|cent|points|versions|generations"
    r"|countries|markets|cities|members|states|regions|lines|steps|stages|phases|rounds|goals|ways|hours"
    r"|minutes|seconds|brands|partners|companies|firms|sources|analysts|executives|others|ones|sides|parts"
)
# Plurals without an s.
_IRREGULAR_PLURALS = r"people|staff|personnel|children|men|women|aircraft|sheep|fish|cattle"

# What may follow a number: a currency, a unit, or a plural noun counted ("4,000 jobs").
_AFTER_NUMBER = rf"""
    (?P<mult>{_MULT})?
    (?:
        \s?(?P<currency>{_CURRENCY_WORD})\b
      | [\s-]?(?P<unit>{_UNIT})(?:\b|(?<=%))
      | \s?(?P<currency_after>[€£¥₹]|(?<=\d)\s?\$)
      | \s+(?:more\s+|new\s+|additional\s+|extra\s+)?(?P<modifiers>(?:(?!(?:a|an|the|of|to|in|by|for|and|or|per)\b)
        [\w.]+(?:-[\w-]+)?\s+){{0,3}}?)
        (?P<noun>(?!(?:{_NOT_COUNTED})\b)(?:[a-z]{{2,}}s|{_IRREGULAR_PLURALS}))\b
    )?
    (?P<or_more>\s+or\s+(?:more|above|higher|greater)\b)?
    (?P<or_less>\s+or\s+(?:less|fewer|lower|under|below)\b)?
"""
# Amounts, on the lower-cased sentence (see deadlines.PERIOD for why). The digit pattern
# starts with a character class, which the regex engine scans for in C before trying
# anything; number words get their own, rarer scan. Comparators ("under") and currency
# codes written first ("EUR 20,000") are read from the words just before the match.
TARGET = re.compile(
    rf"(?x)(?:(?P<symbol>[€$£¥₹])\s?(?=\d)|(?<![\w.,])(?=\d)|(?<=eur|usd|gbp|cny|jpy|chf|inr|rmb|aud|cad|sek)(?=\d))"
    rf"(?P<number>{_DIGITS}){_AFTER_NUMBER}"
)
TARGET_IN_WORDS = re.compile(rf"(?x)\b(?P<symbol>)(?P<number>{_WORDS})\b{_AFTER_NUMBER}")
# Multiples of the current level: "double production", "tripling output", "a fivefold increase".
MULTIPLE = re.compile(
    r"\b(?:(?P<double>doubl(?:e|es|ed|ing))|(?P<triple>tripl(?:e|es|ed|ing))|(?P<quadruple>quadrupl(?:e|es|ed|ing))"
    r"|(?P<fold>two|three|four|five|six|seven|eight|nine|ten|\d{1,2})[\s-]?fold)\b"
)
_MULTIPLE_VALUES = {"double": 2, "triple": 3, "quadruple": 4}
_CODE_LEFT = re.compile(r"\b(?P<code>eur|usd|gbp|cny|jpy|chf|inr)\s?$")
_SYMBOL_PREFIX = {"us$": "USD", "a$": "AUD", "c$": "CAD"}
COMPARATOR_LEFT = re.compile(rf"(?i)\b(?P<cmp>{_COMPARATOR})\s+(?:a\s+|an\s+|the\s+)?$")

# What a number measures, from the words before it (first match in this order wins).
_QUANTITY_WORDS = [
    ("starting price", "starting price"), ("entry price", "starting price"), ("start at", "starting price"),
    ("starts at", "starting price"), ("recharge", "recharge time"), ("charging time", "recharge time"),
    ("charge", "recharge time"), ("energy density", "energy density"), ("range", "range"),
    ("price", "price"), ("cost", "price"), ("priced", "price"), ("fare", "fares"), ("wage", "wage"),
    ("invest", "investment"), ("spend", "spending"), ("revenue", "revenue"), ("sales", "sales"),
    ("margin", "margin"), ("market share", "market share"), ("share", "share"), ("emission", "emissions"),
    ("footprint", "footprint"), ("capacity", "capacity"), ("output", "output"), ("coverage", "coverage"),
    ("punctuality", "punctuality"), ("growth", "growth"), ("savings", "savings"), ("save", "savings"),
    ("production", "production"), ("speed", "speed"), ("efficiency", "efficiency"), ("stake", "stake"),
    ("approval time", "approval time"), ("travel time", "travel time"), ("journey time", "travel time"),
]  # fmt: skip
_QUANTITY = re.compile("|".join(re.escape(word) for word, _ in _QUANTITY_WORDS), re.IGNORECASE)
_QUANTITY_OF = dict(_QUANTITY_WORDS)
_DEFAULT_QUANTITY = {"money": "amount"}

_KIND_RANK = {"money": 0, "duration": 1, "distance": 1, "energy density": 1, "energy": 2, "power": 2, "share": 3}
_MULTIPLE_RANK = 6  # after amounts of every kind: "double capacity to 10 GW" targets the 10 GW

# Verbs whose object is an amount to make, sell, reach or add: at least that amount. Read in
# the few words before the amount ("plans to build two million cars", "will add over 1m homes").
_AIM_VERBS = {
    "build": "built", "make": "made", "produce": "produced", "manufacture": "manufactured", "sell": "sold",
    "deliver": "delivered", "launch": "launched", "introduce": "introduced", "bring": "brought", "open": "opened",
    "add": "added", "cover": "covered", "reach": "reached", "connect": "connected", "supply": "supplied",
    "carry": "carried", "fly": "flown", "install": "installed", "create": "created", "hire": "hired",
    "ship": "shipped", "serve": "served", "pass": "passed", "deploy": "deployed", "roll": "rolled out",
    "complete": "completed", "plant": "planted", "recruit": "recruited", "train": "trained", "vaccinate": "vaccinated",
    "treat": "treated", "provide": "provided", "offer": "offered", "release": "released", "retrofit": "retrofitted",
    "electrify": "electrified", "generate": "generated", "power": "powered", "house": "housed", "employ": "employed",
    "give": "given", "target": "targeted", "aim": "aimed for", "enable": "enabled", "sign": "signed up",
    "designate": "designated", "have": "in place", "account": "accounted for",
}  # fmt: skip
_VERB_FORMS = {}
for _verb in _AIM_VERBS:
    if _verb == "have":
        continue  # an aim only right after "to" (_aim_verb)
    _stem = _verb[:-1] if _verb.endswith("e") else _verb
    for _form in (_verb, _verb + "s", _stem + "ing", _verb + "es", _verb[:-1] + "ies" if _verb.endswith("y") else ""):
        if _form:
            _VERB_FORMS[_form] = _verb
_VERB_FORMS.update(
    {"making": "make", "bringing": "bring", "flying": "fly", "carrying": "carry", "supplying": "supply",
     "planning": "", "running": "", "shipping": "ship", "planting": "plant", "opening": "open",
     "targeted": "target", "targetting": "target"}
)  # fmt: skip
_APPROXIMATELY = {"about", "around", "roughly", "approximately", "some", "nearly", "close to"}
# "employ" names a headcount, not an aim to grow: its amount is as stated.
_LEVEL_VERBS = {"employ"}
_RAISE_VERBS = frozenset(
    "raise raises raising lift lifts lifting increase increases increasing boost boosts boosting expand expands "
    "expanding grow grows growing scale scales scaling ramp ramps ramping take takes taking bring brings".split()
)
_CUT_VERBS = frozenset(
    "cut cuts cutting reduce reduces reducing lower lowers lowering shorten shortens shortening slash slashes "
    "slashing bring brings bringing trim trims trimming halve halves halving limit limits limiting".split()
)
_AMOUNT = r"[€$£¥₹]?\s?\d[\d.,]*\s?(?:thousand|million|billion|bn|mn|m|k)?\s?(?:%|per\s?cent|percent)?"
_RANGE_BEFORE = re.compile(rf"(?:between\s+{_AMOUNT}\s*and|{_AMOUNT}\s*(?:to|-|–))\s*[€$£¥₹]?\s?$")
_RANGE_AFTER = re.compile(r"\s?(?:[a-z]+\s)?(?:to|-|–)\s?[€$£¥₹]?\s?\d")
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:the\s+|a\s+|its\s+|their\s+)?(?:current\s+|present\s+|today['’]s\s+)?$")
_FROM_RANGE_BEFORE = re.compile(rf"\bfrom\s+(?:about\s+|around\s+)?{_AMOUNT}\s*(?:to|-|–)\s*[€$£¥₹]?\s?$")
# Verbs that say the amount is to be passed: "expects to exceed 2019 levels of 149 million".
_EXCEED_VERBS = frozenset("exceed exceeds exceeding surpass surpasses surpassing top topping beat beating".split())
# Words that make an approximate amount an aim ("aims to make around 200,000 cars"); without
# one, "is expected to supply about 7%" is an estimate of the level (=).
_AIM_WORDS = re.compile(r"\b(?:aims?|aiming|plans?|planning|targets?|targeting|goal|ambition|wants?|intends?|seeks?)\b")
# A number right after a capitalised word is part of a name: "Boeing 737 Max", "Airbus A320", "Euro 7".
_NAME_BEFORE = re.compile(
    r"(?<![.!?]\s)(?<!^)\b(?!(?:"
    + "|".join(
        "January February March April May June July August September October November December "
        "Sept Jan Feb Mar Apr Jun Jul Aug Oct Nov Dec EUR USD GBP CNY JPY CHF INR RMB AUD CAD SEK US A C".split()
    )
    + r")\b)[A-Z][A-Za-z]*(?:['’]s)?\s$"
)
# A level to become: "to be 100 percent carbon neutral", "become 100% electric".
_BE_BEFORE = re.compile(r"\b(?:be|become|becoming|go|run\s+on)\s+(?:a\s+)?$")
_LEVEL_AFTER = re.compile(r"\s+(?!(?:of|stake|cut|increase|rise|more|less|higher|lower|share|owned)\b)[a-z]")
# An opening clause about something else: "In the same week Novo Nordisk pledged $6 billion ..., Eli Lilly said".
_ASIDE_OPENING = re.compile(
    r"^(?:In\s+the\s+same|After|While|Although|Though|Whereas|As|Since|Once|Unlike|Like)\b[^,]*$"
)
# Two amounts sharing one noun: "fly to 105 primary and 95 secondary airports".
_SHARED_NOUN = re.compile(
    rf"\s+(?:[a-z-]+\s+)?(?:and|or)\s+{_DIGITS}\s+(?:[a-z-]+\s+)?(?P<noun>(?!(?:{_NOT_COUNTED})\b)[a-z]{{2,}}s)\b"
)
# "a 300 MW electrolyser", "a 2 GWh battery": the size of one thing built.
_SIZE_KINDS = frozenset(("power", "energy", "volume", "area", "mass", "distance"))
_A_BEFORE = re.compile(r"(?:^|\s)an?\s$")
# Money won rather than spent: at least the amount.
_MONEY_AIMS = frozenset("attract attracts attracting secure secures securing generate generates generating".split())
# Things it already has: "its remaining 12 older jets", "their existing 40 stores".
_OWNED_BEFORE = re.compile(r"\b(?:its|their|our|his|her)\s+(?:remaining|existing|current|other|older|present)\s+$")
# "aims to build a fleet of 10 reactors": the amount of an aim, after "a <noun> of".
_A_NOUN_OF = re.compile(r"\b(?:a|an)\s+(?:[a-z-]+\s+){1,2}of\s+$")
_NOUN_OF_BEFORE = re.compile(
    r"\b(?P<noun>sales|deliveries|subscribers|customers|users|passengers|visitors|units)\s+of\s+$"
)
_STAKE_AFTER = re.compile(r"\s*(?:stake|shareholding|holding|interest|owned|ownership)\b")
# "produce 150,000 of the trucks a year": a count of things named after "of the".
_OF_THE_NOUN = re.compile(
    rf"\s+of\s+(?:the|these|those|its|their|our)\s+(?:[a-z-]+\s+)?(?P<noun>(?!(?:{_NOT_COUNTED})\b)[a-z]{{2,}}s)\b"
)
# The size of what a decision is about: "a final investment decision on its 1.4 GW wind farm".
_DECISION_ON = re.compile(
    r"\b(?:decision|decide|decides|deciding|approval|go-ahead|green\s+light|consent)\s+(?:on|for|over|about)\s+"
    r"(?:its|the|their|a|an)\s+(?:[\w-]+\s+){0,2}$"
)
# A count told as done before the claim: "It has ordered 20 jets, the first of which are due ...".
_DONE_BEFORE = re.compile(
    r"(?<!will\s)(?<!would\s)\b(?:has|have|had)\s+(?:already\s+)?(?!(?:targeted|planned|pledged|promised|committed|agreed|aimed|vowed)\b)"
    r"(?:[a-z]+ed|bought|sold|built|made|won|taken|paid|spent|got|gotten|put|set|held|begun|grown)"
    r"\s+(?:(?!to\b)[a-z-]+\s+){0,2}$"
)
# A fraction in words: "half of sales", "two-thirds of homes" (not "the first half of 2027").
FRACTION = re.compile(
    r"(?<!first\s)(?<!second\s)(?<!the\s)\b(?P<fraction>half|a\s+third|one\s+third|two[\s-]thirds|a\s+quarter"
    r"|one\s+quarter|three[\s-]quarters)\s+of\s+(?!(?:19|20)\d{2}\b|the\s+year\b|this\b|next\b)"
)
_FRACTION_OF = re.compile(r"(?:(?:the|its|their|our|all|new|[a-z-]+['’]s)\s+)*(?P<noun>[a-z][a-z-]+)")
_FRACTIONS = {"half": 50, "third": Decimal("33.3"), "thirds": Decimal("66.7"), "quarter": 25, "quarters": 75}
_OF_NOUN_AFTER = re.compile(r"\s+of\s+(?:new\s+|additional\s+)?(?P<what>[a-z][a-z-]+(?:\s+[a-z][a-z-]+)?)")


def _number(text: str, multiplier: str | None) -> Decimal | None:
    word = " ".join(text.lower().split())
    if word in _NUMBER_WORDS:
        if word in _NEEDS_MULTIPLIER and not multiplier:
            return None
        value = Decimal(str(_NUMBER_WORDS[word]))
    else:
        value = Price.fromstring(text).amount
        if value is None:
            return None
    if multiplier:
        value *= _MULTIPLIERS[multiplier.strip().lower()]
    try:
        value = value.quantize(Decimal("0.0001"))
    except InvalidOperation:
        return None
    # Plain digits for forms and JSON: 20000, not 2E+4.
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


def _words_before(lowered: str, at: int, count: int = 5) -> list[str]:
    """The last words before a position, stopping at a clause break."""
    window = lowered[max(0, at - 100) : at]
    for stop in ",;:()":
        window = window.rsplit(stop, 1)[-1]
    return [word.strip("\"'“”‘’") for word in window.split()][-count:]


def _aim_verb(words: list[str]) -> str | None:
    """The aim verb governing the amount ("to build two million cars"), if any.

    "have" counts only after "to" ("aims to have 250 satellites in orbit"): "will have a
    capacity of 14 GWh" and "forecasts China will have 460 million subscribers" are levels.
    """
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if word == "have" and index and words[index - 1] == "to":
            return "have"
        verb = _VERB_FORMS.get(word)
        if verb is not None:
            return verb or None
        if word in ("than", "from", "of", "by", "with", "per", "since", "was", "were", "had"):
            return None
    return None


def _quantity(sentence: str, start: int, kind: str, unit: str, verb: str | None = None, what: str = "") -> str:
    before = sentence[max(0, start - 60) : start]
    words = _QUANTITY.findall(before)
    if words:
        return _QUANTITY_OF[words[-1].lower()]  # the nearest one before the number
    if kind in ("count", "mass", "volume", "area", "power", "energy", "share") and (what or verb):
        measured = what or unit
        return f"{measured} {_AIM_VERBS[verb]}" if verb else measured
    return _DEFAULT_QUANTITY.get(kind, unit if kind == "count" else kind)


def _target(sentence: str, lowered: str, match: re.Match) -> tuple[Target, str] | None:
    g = match.group
    at = match.start()
    code = _CODE_LEFT.search(lowered, max(0, at - 5), at)
    if g("symbol"):
        prefix = lowered[max(0, at - 2) : at + 1]
        unit = _SYMBOL_PREFIX.get(prefix) or _SYMBOL_PREFIX.get(prefix[1:]) or _CURRENCY_SYMBOLS[g("symbol")]
        kind = "money"
    elif g("currency"):
        unit, kind = _CURRENCY_WORDS[g("currency")], "money"
    elif g("currency_after"):
        unit, kind = _CURRENCY_SYMBOLS[g("currency_after").strip()], "money"
    elif code:
        unit, kind = code.group("code").upper(), "money"
        at = code.start()
    elif g("unit"):
        unit = _UNITS[" ".join(g("unit").split())]
        kind = _KINDS[unit]
    elif g("noun"):
        number = g("number")
        if re.fullmatch(r"(?:19|20)\d{2}", number):
            return None  # "2030 levels" is a year
        unit, kind = g("noun"), "count"
    elif shared := _SHARED_NOUN.match(lowered, match.end()):
        unit, kind = shared.group("noun"), "count"  # "105 primary and 95 secondary airports"
    elif of_the := _OF_THE_NOUN.match(lowered, match.end()):
        unit, kind = of_the.group("noun"), "count"  # "150,000 of the trucks"
    elif g("mult") and (noun_of := _NOUN_OF_BEFORE.search(lowered, max(0, at - 20), at)):
        unit, kind = noun_of.group("noun"), "count"  # "global sales of 1 million"
    else:
        return None  # a bare number measures nothing we can name
    if not g("symbol") and _NAME_BEFORE.search(sentence, max(0, at - 20), at):
        return None  # "Boeing 737 Max planes": a model's name, not an amount
    value = _number(g("number"), g("mult"))
    if value is None:
        return None
    if _DECISION_ON.search(lowered, max(0, at - 80), at) or _DONE_BEFORE.search(lowered, max(0, at - 60), at):
        return None  # the size of what is decided on, or a count already done: not what is promised
    if kind == "share" and _STAKE_AFTER.match(lowered, match.end()):
        return None  # "a 51% stake" is something bought, not a level to reach
    left = COMPARATOR_LEFT.search(sentence, max(0, at - 24), at)
    words = _words_before(lowered, left.start() if left else at, 10)
    verb = _aim_verb(words[-6:])
    if left and left.group("cmp").lower() in _VERB_FORMS:
        verb = _VERB_FORMS[left.group("cmp").lower()] or verb  # "reach 90 per cent of homes"
    if kind == "count" and not verb and _OWNED_BEFORE.search(lowered, max(0, at - 30), at):
        return None  # "retire its remaining 12 older jets": things it has, not a target
    if kind == "count" and value < 10 and not g("mult") and not verb:
        return None  # "the two brands", "three cars": a small count is a target only as an aim's object
    comparator_word = " ".join(left.group("cmp").lower().split()) if left else ""
    start_of_cmp = left.start() if left else at
    comparator = _COMPARATOR_OF.get(comparator_word, "=")
    if comparator_word in ("in", "within") and kind != "duration":
        comparator = "="
    if comparator_word in ("to", "by", "at", "of", ""):
        if _RANGE_BEFORE.search(lowered, max(0, at - 30), at) and not _FROM_RANGE_BEFORE.search(
            lowered, max(0, at - 36), at
        ):
            comparator = "<="  # "10 to 12 minutes", "$1 billion to $4 billion": at most the upper bound
        elif comparator_word == "to" and _CUT_VERBS.intersection(words):
            comparator = "<="  # "cut the time to 10 minutes"
        elif kind == "money" and _MONEY_AIMS.intersection(words[-3:]):
            comparator = ">="  # "help attract £20 billion of private investment": money to be won, at least
        elif _EXCEED_VERBS.intersection(words):
            comparator = ">"  # "expects to exceed 2019 traffic levels of 149 million passengers"
        elif comparator_word == "to" and kind != "money" and _RAISE_VERBS.intersection(words):
            comparator = ">="  # "raise capacity from 13GW to 30GW"
        elif kind in _SIZE_KINDS and _A_BEFORE.search(lowered, max(0, start_of_cmp - 4), start_of_cmp):
            pass  # "build a 300 MW electrolyser": the size of one thing, not an amount to reach
        elif (
            (comparator_word not in ("by", "of") or verb == "target" or _A_NOUN_OF.search(lowered, 0, at))
            and verb
            and verb not in _LEVEL_VERBS
            and kind != "money"
        ):
            comparator = ">="  # "plans to build two million cars a year", "reach 90 per cent of homes"
    elif (
        comparator_word in _APPROXIMATELY
        and verb
        and verb not in _LEVEL_VERBS
        and kind != "money"
        and _AIM_WORDS.search(lowered)
    ):
        comparator = ">="  # "aims to make around 200,000 cars a year": an aim, not an estimate
    if kind == "share" and _BE_BEFORE.search(lowered, max(0, at - 20), at) and _LEVEL_AFTER.match(lowered, match.end()):
        comparator = ">="  # "pledged to be 100 percent carbon neutral": a level to reach
    if g("or_more"):
        comparator = ">="
    if g("or_less"):
        comparator = "<="
    start = left.start() if left else at
    of_noun = _OF_NOUN_AFTER.match(lowered, match.end())
    what = of_noun.group("what") if of_noun and kind in ("mass", "volume", "area", "power", "energy", "share") else ""
    if kind == "count":
        what = f"{g('modifiers') or ''}{g('noun') or unit}".strip()
    quantity = _quantity(sentence, start, kind, unit, verb if verb not in _LEVEL_VERBS else None, what)
    return Target(quantity, comparator, value, unit, sentence[start : match.end()].strip()), kind


def _multiple(sentence: str, lowered: str, match: re.Match) -> Target:
    fold = match.group("fold")
    if fold:
        value = int(fold) if fold.isdigit() else _NUMBER_WORDS[fold]
    else:
        value = next(_MULTIPLE_VALUES[name] for name in _MULTIPLE_VALUES if match.group(name))
    after = lowered[match.end() : match.end() + 50].split()
    measured = next((word.strip(".,;") for word in after if word not in ("its", "the", "their", "our", "a", "an")), "")
    quantity = _QUANTITY_OF.get(measured, measured) or "level"
    return Target(quantity, ">=", Decimal(value), "×", sentence[match.start() : match.end()])


def _fraction(sentence: str, lowered: str, match: re.Match) -> Target | None:
    """ "account for half of sales": a share in percent to reach, when it is an aim's object."""
    word = match.group("fraction").split()[-1].split("-")[-1]
    verb = _aim_verb(_words_before(lowered, match.start(), 6))
    noun = _FRACTION_OF.match(lowered, match.end())
    measured = f"share of {noun.group('noun')}" if noun else "share"
    if not verb:
        return None  # "where a third of its sales take place": a share as it is, not one to reach
    return Target(measured, ">=", Decimal(_FRACTIONS[word]), "%", sentence[match.start() : match.end()].strip())


def _is_start_level(lowered: str, match: re.Match) -> bool:
    """The first amount of "from 13GW to 30GW" or "from 89% today to around 39%"."""
    return bool(
        _FROM_BEFORE.search(lowered, max(0, match.start() - 40), match.start())
        and " to " in lowered[match.end() : match.end() + 40]
    ) or bool(_RANGE_AFTER.match(lowered, match.end()) and not _RANGE_BEFORE.search(lowered, 0, match.start()))


def parse_target(sentence: str, lowered: str | None = None) -> Target | None:
    """The sentence's most telling target: one with a comparator word first, then by kind."""
    lowered = lowered or sentence.lower()
    best, best_rank = None, None
    matches = [*TARGET.finditer(lowered), *TARGET_IN_WORDS.finditer(lowered)]
    for match in matches:
        if _is_start_level(lowered, match) or _ASIDE_OPENING.match(sentence, 0, match.start()):
            continue
        found = _target(sentence, lowered, match)
        if found is None:
            continue
        target, kind = found
        rank = (0 if target.comparator != "=" else 1, _KIND_RANK.get(kind, 4), match.start())
        if best_rank is None or rank < best_rank:
            best, best_rank = target, rank
    for match in FRACTION.finditer(lowered):
        fraction = _fraction(sentence, lowered, match)
        rank = (0, _KIND_RANK["share"], match.start())
        if fraction and (best_rank is None or rank < best_rank):
            best, best_rank = fraction, rank
    for match in MULTIPLE.finditer(lowered):
        rank = (0, _MULTIPLE_RANK, match.start())
        if best_rank is None or rank < best_rank:
            best, best_rank = _multiple(sentence, lowered, match), rank
    return best
