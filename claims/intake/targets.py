"""Measurable targets: "a starting price under 20,000 EUR" -> starting price < 20000 EUR.

One compiled regex finds amounts with what they measure (money, durations, distances,
energy and power, percentages, counts of things) and the comparator words just before
them. price-parser reads the numbers, so "20,000", "20.000" and "20 000" all give
20000; multipliers ("1.5 billion", "€2bn"), currency symbols and names, and the units
are normalised here.
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
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}  # fmt: skip
_UNITS = {
    "minutes": "min", "minute": "min", "mins": "min", "min": "min", "hours": "h", "hour": "h", "hrs": "h", "h": "h",
    "seconds": "s", "second": "s", "secs": "s", "sec": "s",
    "kilometres": "km", "kilometers": "km", "kilometre": "km", "kilometer": "km", "km": "km",
    "miles": "mi", "mile": "mi", "mi": "mi", "metres": "m", "meters": "m",
    "wh/kg": "Wh/kg", "kwh": "kWh", "mwh": "MWh", "gwh": "GWh", "twh": "TWh",
    "kw": "kW", "mw": "MW", "gw": "GW", "tw": "TW",
    "%": "%", "percent": "%", "per cent": "%", "pc": "%", "percentage points": "pp",
    "tonnes": "t", "tons": "t", "tonnes of co2": "t CO2", "mph": "mph", "km/h": "km/h",
}  # fmt: skip
_KINDS = {
    "min": "duration", "h": "duration", "s": "duration", "km": "distance", "mi": "distance", "m": "distance",
    "Wh/kg": "energy density", "kWh": "energy", "MWh": "energy", "GWh": "energy", "TWh": "energy",
    "kW": "power", "MW": "power", "GW": "power", "TW": "power", "%": "share", "pp": "share",
    "t": "mass", "t CO2": "emissions", "mph": "speed", "km/h": "speed",
}  # fmt: skip

# Comparator words, longest first so that "no more than" wins over "more than".
_COMPARATORS = [
    ("no more than", "<="), ("not more than", "<="), ("no higher than", "<="), ("at most", "<="),
    ("a maximum of", "<="), ("maximum of", "<="), ("up to", "<="), ("within", "<="), ("in", "<="),
    ("no less than", ">="), ("not less than", ">="), ("at least", ">="), ("a minimum of", ">="),
    ("minimum of", ">="), ("reach", ">="), ("reaching", ">="), ("hit", ">="), ("achieve", ">="),
    ("less than", "<"), ("fewer than", "<"), ("lower than", "<"), ("under", "<"), ("below", "<"), ("sub-", "<"),
    ("more than", ">"), ("greater than", ">"), ("higher than", ">"), ("over", ">"), ("above", ">"),
    ("exceeding", ">"), ("exceed", ">"), ("in excess of", ">"), ("upwards of", ">"), ("top", ">"), ("surpass", ">"),
    ("about", "="), ("around", "="), ("roughly", "="), ("approximately", "="), ("some", "="), ("nearly", "="),
    ("close to", "="), ("exactly", "="), ("of", "="), ("to", "="), ("by", "="), ("at", "="),
]  # fmt: skip
_COMPARATOR_OF = dict(_COMPARATORS)

_DIGITS = r"(?:\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
_WORDS = r"(?:" + "|".join(_NUMBER_WORDS) + r")"
_MULT = r"(?:\s?(?:thousand|million|billion|trillion|bn|mn|tn|[kmb])\b)"
_CURRENCY_WORD = r"(?:" + "|".join(sorted(_CURRENCY_WORDS, key=len, reverse=True)) + r")"
_UNIT = r"(?:" + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True)) + r")"
_COMPARATOR = r"(?:" + "|".join(re.escape(c) for c, _ in _COMPARATORS) + r")"
# Plural nouns that follow a number without being a target (the deadline owns durations).
_NOT_COUNTED = (
    r"years|months|weeks|days|decades|quarters|times|levels|percent|cent|points|models|versions|generations"
    r"|countries|markets|cities|sites|members|states|regions|lines|steps|stages|phases|rounds|goals|ways"
)

# What may follow a number: a currency, a unit, or a plural noun counted ("4,000 jobs").
_AFTER_NUMBER = rf"""
    (?P<mult>{_MULT})?
    (?:
        \s?(?P<currency>{_CURRENCY_WORD})\b
      | [\s-]?(?P<unit>{_UNIT})(?:\b|(?<=%))
      | \s+(?:more\s+|new\s+|additional\s+|extra\s+)?(?:[\w.]+-[\w-]+\s+)?
        (?P<noun>(?!(?:{_NOT_COUNTED})\b)[a-z]{{3,}}s)\b
    )?
    (?P<or_more>\s+or\s+(?:more|above|higher)\b)?
"""
# Amounts, on the lower-cased sentence (see deadlines.PERIOD for why). The digit pattern
# starts with a character class, which the regex engine scans for in C before trying
# anything; number words get their own, rarer scan. Comparators ("under") and currency
# codes written first ("EUR 20,000") are read from the words just before the match.
TARGET = re.compile(rf"(?x)(?:(?P<symbol>[€$£¥₹])\s?(?=\d)|(?<![\w.,])(?=\d))(?P<number>{_DIGITS}){_AFTER_NUMBER}")
TARGET_IN_WORDS = re.compile(rf"(?x)\b(?P<symbol>)(?P<number>{_WORDS})\b{_AFTER_NUMBER}")
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
    ("production", "production"), ("speed", "speed"), ("efficiency", "efficiency"),
]  # fmt: skip
_QUANTITY = re.compile("|".join(re.escape(word) for word, _ in _QUANTITY_WORDS), re.IGNORECASE)
_QUANTITY_OF = dict(_QUANTITY_WORDS)
_DEFAULT_QUANTITY = {"money": "amount"}

_KIND_RANK = {"money": 0, "duration": 1, "distance": 1, "energy density": 1, "energy": 2, "power": 2, "share": 3}


def _number(text: str, multiplier: str | None) -> Decimal | None:
    word = text.lower()
    if word in _NUMBER_WORDS:
        value = Decimal(_NUMBER_WORDS[word])
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


def _quantity(sentence: str, start: int, kind: str, unit: str) -> str:
    before = sentence[max(0, start - 60) : start]
    words = _QUANTITY.findall(before)
    if words:
        return _QUANTITY_OF[words[-1].lower()]  # the nearest one before the number
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
    elif code:
        unit, kind = code.group("code").upper(), "money"
        at = code.start()
    elif g("unit"):
        unit = _UNITS[" ".join(g("unit").split())]
        kind = _KINDS[unit]
    elif g("noun"):
        number = g("number")
        if re.fullmatch(r"(?:19|20)\d{2}", number) or (number.isdigit() and len(number) == 1 and not g("mult")):
            return None  # "2030 levels" is a year; "3 models" is rarely a target
        unit, kind = g("noun"), "count"
    else:
        return None  # a bare number measures nothing we can name
    value = _number(g("number"), g("mult"))
    if value is None:
        return None
    left = COMPARATOR_LEFT.search(sentence, max(0, at - 24), at)
    comparator_word = " ".join(left.group("cmp").lower().split()) if left else ""
    comparator = _COMPARATOR_OF.get(comparator_word, "=")
    if comparator_word in ("in", "within") and kind != "duration":
        comparator = "="
    if g("or_more"):
        comparator = ">="
    start = left.start() if left else at
    quantity = _quantity(sentence, start, kind, unit)
    return Target(quantity, comparator, value, unit, sentence[start : match.end()].strip()), kind


def parse_target(sentence: str, lowered: str | None = None) -> Target | None:
    """The sentence's most telling target: one with a comparator word first, then by kind."""
    lowered = lowered or sentence.lower()
    best, best_rank = None, None
    matches = [*TARGET.finditer(lowered), *TARGET_IN_WORDS.finditer(lowered)]
    for match in matches:
        found = _target(sentence, lowered, match)
        if found is None:
            continue
        target, kind = found
        rank = (0 if target.comparator != "=" else 1, _KIND_RANK.get(kind, 4), match.start())
        if best_rank is None or rank < best_rank:
            best, best_rank = target, rank
    return best
