"""Intake extraction: deadlines, targets, claimants, sentences and the Nissan story.

Pure Python (no database): these run in milliseconds.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from claims.intake.claimants import claimant_of
from claims.intake.deadlines import parse_deadline
from claims.intake.extract import extract
from claims.intake.input import MAX_ARTICLE_BYTES, ArticleError, decode_article
from claims.intake.sentences import split_sentences
from claims.intake.targets import parse_target

PUBLISHED = datetime.date(2025, 5, 15)
STORY = (Path(__file__).parent / "intake_data" / "nissan_twingo_article.txt").read_text(encoding="utf-8")
D = datetime.date


@pytest.mark.parametrize(
    ("phrase", "start", "end", "precision"),
    [
        # The register's rules.
        ("Nissan will debut it by 2026.", PUBLISHED, D(2026, 12, 31), "year"),
        ("Production starts in the second half of 2027.", D(2027, 7, 1), D(2027, 12, 31), "half"),
        ("It will come soon.", None, None, "vague"),
        ("It will come in the coming years.", None, None, "vague"),
        ("It will come to Europe.", None, None, "none"),
        # Relative phrases resolve against the publication date.
        ("It will launch next year.", D(2026, 1, 1), D(2026, 12, 31), "year"),
        ("It will launch later this year.", PUBLISHED, D(2025, 12, 31), "year"),
        ("It will launch by the end of the decade.", PUBLISHED, D(2029, 12, 31), "decade"),
        ("It will launch within three years.", PUBLISHED, D(2028, 5, 15), "year"),
        ("It will launch within 18 months.", PUBLISHED, D(2026, 11, 15), "month"),
        ("It will launch in three years' time.", PUBLISHED, D(2028, 5, 15), "year"),
        ("It will launch in early 2027.", D(2027, 1, 1), D(2027, 6, 30), "half"),
        ("It will launch in mid-2026.", D(2026, 4, 1), D(2026, 9, 30), "half"),
        ("It will launch in late 2026.", D(2026, 7, 1), D(2026, 12, 31), "half"),
        ("It will launch in Q3.", D(2025, 7, 1), D(2025, 9, 30), "quarter"),
        ("It will launch in Q1.", D(2026, 1, 1), D(2026, 3, 31), "quarter"),  # Q1 2025 is over
        ("It will launch in the third quarter of 2026.", D(2026, 7, 1), D(2026, 9, 30), "quarter"),
        ("It will launch by October.", PUBLISHED, D(2025, 10, 31), "month"),
        ("It will launch by the end of September 2026.", PUBLISHED, D(2026, 9, 30), "month"),
        ("It will launch before 2030.", PUBLISHED, D(2029, 12, 31), "year"),
        ("It will launch on 30 June 2026.", D(2026, 6, 30), D(2026, 6, 30), "day"),
        ("It will launch by March 15, 2027.", PUBLISHED, D(2027, 3, 15), "day"),
        ("It will launch next summer.", D(2026, 6, 1), D(2026, 8, 31), "quarter"),
        ("It will launch in the early 2030s.", D(2030, 1, 1), D(2033, 12, 31), "decade"),
        # A past baseline is not the deadline; a model year is no date at all.
        ("Emissions will halve by 2030 from 2016 levels.", PUBLISHED, D(2030, 12, 31), "year"),
        ("The 2026 model will be cheaper.", None, None, "none"),
        ("They may cut prices.", None, None, "none"),
    ],
)
def test_it_resolves_deadline_phrases_against_the_publication_date(phrase, start, end, precision):
    deadline = parse_deadline(phrase, PUBLISHED)
    assert (deadline.start, deadline.end, deadline.precision) == (start, end, precision)
    if deadline.end:
        assert deadline.start is None or deadline.start <= deadline.end  # the register's constraint


def test_it_keeps_the_deadline_phrase_as_written():
    assert parse_deadline("Ampere plans cobalt-free batteries by the end of 2028.", PUBLISHED).text == (
        "by the end of 2028"
    )


def test_a_by_deadline_already_past_at_publication_starts_with_its_period():
    deadline = parse_deadline("It was meant to launch by 2024.", PUBLISHED)
    assert (deadline.start, deadline.end) == (D(2024, 1, 1), D(2024, 12, 31))


@pytest.mark.parametrize(
    ("sentence", "quantity", "comparator", "value", "unit"),
    [
        ("It aims for a starting price under 20,000 EUR.", "starting price", "<", "20000", "EUR"),
        ("Batteries with a recharge time under 15 minutes.", "recharge time", "<", "15", "min"),
        ("A driving range of more than 600 km.", "range", ">", "600", "km"),
        ("It will cost less than €19.000.", "price", "<", "19000", "EUR"),
        ("Coverage will reach 90% of homes.", "coverage", ">=", "90", "%"),
        ("It will invest $21 billion.", "investment", "=", "21000000000", "USD"),
        ("Priced below 2 million yuan.", "price", "<", "2000000", "CNY"),
        ("An energy density of 160 Wh/kg.", "energy density", "=", "160", "Wh/kg"),
        # An aim to connect, build or sell an amount is "at least" it, named after what is connected.
        ("It will connect 4 GW of capacity.", "capacity connected", ">=", "4", "GW"),
        ("At least 30 million zero-emission cars.", "zero-emission cars", ">=", "30000000", "cars"),
        # The kinds the quality review found missing (comparators carried by words, numbers in
        # words, multiples, percentages, what is measured, European number formats).
        ("It plans to build two million cars a year.", "cars built", ">=", "2000000", "cars"),
        ("It will cut the charging time to 10 to 12 minutes.", "recharge time", "<=", "12", "min"),
        ("The car will be priced below the €30,000 threshold.", "price", "<", "30000", "EUR"),
        ("It expects to sell more than half a million vehicles.", "vehicles sold", ">", "500000", "vehicles"),
        ("The group aims at tripling output by 2030.", "output", ">=", "3", "×"),
        ("It wants to raise sales by 40 percent.", "sales", "=", "40", "%"),
        ("Fibre will reach 90 per cent of homes.", "homes reached", ">=", "90", "%"),
        ("It will launch three new models next year.", "models launched", ">=", "3", "models"),
        ("A starting price under 20 000 €.", "starting price", "<", "20000", "EUR"),
        ("A starting price under 20.000 €.", "starting price", "<", "20000", "EUR"),
        ("It will cost € 19.990,50.", "price", "=", "19990.5", "EUR"),
        ("It will produce 1.2 million tonnes of green steel a year.", "green steel produced", ">=", "1200000", "t"),
        ("It will cut emissions from 40 tonnes to 25 tonnes.", "emissions", "<=", "25", "t"),
        ("The airline will buy 75 million gallons of SAF a year.", "saf", "=", "75000000", "gal"),
        ("A range of up to 700 km.", "range", "<=", "700", "km"),
        ("Punctuality to rise above 70 per cent.", "punctuality", ">", "70", "%"),
    ],
)
def test_it_parses_measurable_targets(sentence, quantity, comparator, value, unit):
    target = parse_target(sentence)
    assert (target.quantity, target.comparator, target.value, target.unit) == (
        quantity,
        comparator,
        Decimal(value),
        unit,
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "It will launch within three years.",
        "It is sold in 30 countries.",
        "By 2030.",
        "The two brands will keep working together.",
        "Renault will buy Nissan's 51% stake in the venture.",
    ],
)
def test_durations_counts_of_places_and_years_are_no_targets(sentence):
    assert parse_target(sentence) is None


@pytest.mark.parametrize(
    ("sentence", "name", "kind"),
    [
        ("Renault's Ampere unit plans cobalt-free batteries.", "Ampere", "organization"),
        ("Renault's Twingo-based budget hatch aims for a low price.", "Renault", "organization"),
        ("The hatch aims for a low price, Renault said.", "Renault", "organization"),
        ("According to Deutsche Telekom, coverage will reach 90%.", "Deutsche Telekom", "organization"),
        ("In Europe, Nissan will launch the car.", "Nissan", "organization"),
        ("Transport for London has pledged to go electric.", "Transport for London", "organization"),
        ("The Chinese carmaker Xpeng will launch a flying car.", "Xpeng", "organization"),
        ("Prices will fall, chief executive Luca de Meo said.", "Luca de Meo", "person"),
        ("Ørsted said its wind farm will deliver power.", "Ørsted", "organization"),
        ('"We will launch it next year," said Ivan Espinosa, Nissan\'s chief executive.', "Ivan Espinosa", "person"),
        ('"Prices will fall," Renault said.', "Renault", "organization"),
    ],
)
def test_it_attributes_claims(sentence, name, kind):
    verb = min(i for i in (sentence.find(" will"), sentence.find(" plans"), sentence.find(" aims"),
                           sentence.find(" has pledged"), sentence.find(" said")) if i >= 0)  # fmt: skip
    found = claimant_of(sentence, verb)
    assert (found.name, found.kind) == (name, kind)


def test_it_splits_sentences_around_abbreviations_and_headlines():
    text = "City car for Europe\n\nNissan will sell it in the U.S. by 2026, Mr. Smith said. Will it sell? It will!"
    assert [s.text for s in split_sentences(text)] == [
        "City car for Europe",
        "Nissan will sell it in the U.S. by 2026, Mr. Smith said.",
        "Will it sell?",
        "It will!",
    ]


PRICE_UNDER_20000_EUR = {"quantity": "starting price", "comparator": "<", "value": 20000, "unit": "EUR"}
RECHARGE_UNDER_15_MIN = {"quantity": "recharge time", "comparator": "<", "value": 15, "unit": "min"}


def test_the_nissan_story_yields_the_registers_claims():
    candidates = [c.as_dict() for c in extract(STORY, PUBLISHED)]
    summary = [
        (c["claimant"], c["deadline_text"], c["deadline_end"], c["deadline_precision"], c["target"]) for c in candidates
    ]
    assert summary == [
        ("Nissan", "by 2026", "2026-12-31", "year", None),
        ("Nissan", "", None, "none", None),  # sits below the next-generation Micra
        ("Renault", "", None, "none", PRICE_UNDER_20000_EUR),
        ("Ampere", "by 2028", "2028-12-31", "year", RECHARGE_UNDER_15_MIN),
        ("Alpine", "", None, "none", None),  # coming to the United States, no date
    ]  # fmt: skip
    assert candidates[0]["deadline_start"] == "2025-05-15"
    assert "Micra" in candidates[1]["sentence"] and "cobalt-free" in candidates[3]["sentence"]
    assert all(0 < c["score"] <= 1 for c in candidates)


def test_without_a_publication_date_relative_deadlines_resolve_against_today():
    [candidate] = extract("Nissan will launch the car next year.", today=D(2030, 2, 1))
    assert (candidate.deadline_start, candidate.deadline_end) == (D(2031, 1, 1), D(2031, 12, 31))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"caf\xe9 au lait", r"not UTF-8 text \(byte 0xe9 at position 3\)"),
        (b"x" * (MAX_ARTICLE_BYTES + 1), "Split it"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e", "control characters"),
    ],
)
def test_it_refuses_what_is_not_an_article_with_a_clear_message(data, message):
    with pytest.raises(ArticleError, match=message):
        decode_article(data)


def test_it_accepts_a_byte_order_mark_and_a_megabyte():
    assert decode_article("\ufeffNissan will launch it.".encode()) == "Nissan will launch it."
    assert len(decode_article(b"a" * 1_000_000)) == 1_000_000


@pytest.mark.parametrize(
    ("phrase", "reference", "end"),
    [
        # 29 February without a year is the next one to come, however many years away.
        ("It will launch by February 29.", D(2024, 3, 10), D(2028, 2, 29)),
        ("It will launch on 29 Feb.", D(2025, 5, 15), D(2028, 2, 29)),
        ("It will launch on 29 February.", D(2024, 1, 10), D(2024, 2, 29)),
        ("It will launch on 31 March.", D(2025, 5, 15), D(2026, 3, 31)),
    ],
)
def test_a_day_without_a_year_is_the_next_such_day(phrase, reference, end):
    deadline = parse_deadline(phrase, reference)
    assert (deadline.end, deadline.precision) == (end, "day")
    assert extract(phrase, reference)[0].deadline_end == end  # no crash on the way to a candidate


@pytest.mark.parametrize(
    ("phrase", "reference", "start", "end"),
    [
        # In January the current winter is still running: it ends this February, not next.
        ("It will launch by winter.", D(2025, 1, 15), D(2025, 1, 15), D(2025, 2, 28)),
        ("It will launch in winter.", D(2025, 1, 15), D(2024, 12, 1), D(2025, 2, 28)),
        ("It will launch in winter.", D(2025, 5, 15), D(2025, 12, 1), D(2026, 2, 28)),
        ("It will launch next winter.", D(2025, 1, 15), D(2025, 12, 1), D(2026, 2, 28)),
        ("It will launch in the winter of 2025.", D(2025, 1, 15), D(2025, 12, 1), D(2026, 2, 28)),
    ],
)
def test_a_winter_without_a_year_is_the_one_not_yet_over(phrase, reference, start, end):
    deadline = parse_deadline(phrase, reference)
    assert (deadline.start, deadline.end, deadline.precision) == (start, end, "quarter")


@pytest.mark.parametrize(
    "phrase",
    [
        "Nissan will run the plant for 10 years.",
        "The utility will guarantee the price for the next five years.",
        "The warranty will cover the battery for eight years.",
    ],
)
def test_how_long_a_commitment_lasts_is_no_deadline(phrase):
    assert parse_deadline(phrase, PUBLISHED).precision == "none"


@pytest.mark.parametrize(
    ("phrase", "end"),
    [
        ("It will run the plant for 10 years within three years.", D(2028, 5, 15)),
        ("It will invest $2bn over the next four years.", D(2029, 5, 15)),
    ],
)
def test_a_duration_that_bounds_the_claim_stays_a_deadline(phrase, end):
    assert parse_deadline(phrase, PUBLISHED).end == end


# --- the kinds the review of real articles found (docs/intake.md, "Quality") -----------

KINDS_PUBLISHED = datetime.date(2025, 5, 15)  # a Thursday


@pytest.mark.parametrize(
    ("sentence", "deadline_end", "precision"),
    [
        ("The new line is to open in 2027.", "2027-12-31", "year"),
        ("The carrier has targeted 300 million passengers a year by 2034.", "2034-12-31", "year"),
        ("The two companies have agreed to build a battery plant in Spain.", None, "none"),
        ('"We anticipate first deliveries in the second half of 2026," its head said.', "2026-12-31", "half"),
        ("It is hoped that the bridge will reopen next spring.", "2026-05-31", "quarter"),
        ("The vaccine is expected to be available in early 2027.", "2027-06-30", "half"),
        ("The company forecasts profitability not before 2027.", None, "none"),
        ("The launch date has slipped to end-September 2027.", "2027-09-30", "month"),
        ("Acme expects the plant to open in early 2028.", "2028-06-30", "half"),
        ("The drugmaker will file for approval in early 2027.", "2027-06-30", "half"),
        ("The ministry will publish the list on 14 May.", "2026-05-14", "day"),  # the next 14 May
        ("The union will answer by the end of the week.", "2025-05-18", "day"),  # that week's Sunday
        ("The stadium will be finished in time for the 2030 World Cup.", None, "vague"),
        ("The line will be ready in time for the World Cup, which opens on 8 June 2030.", "2030-06-08", "day"),
        ("The plant will not open until June 2026 at the earliest.", None, "none"),
        ("The new equipment will go online in two to three years.", "2028-05-15", "year"),
        ("Work is to begin this year, with output coming online at the end of 2027.", "2027-12-31", "year"),
        ("Earlier this month, Toyota said it will break ground on a battery plant.", None, "none"),
    ],
)
def test_future_cues_and_deadlines_found_in_real_articles(sentence, deadline_end, precision):
    (candidate,) = [c.as_dict() for c in extract(sentence, KINDS_PUBLISHED)]
    assert (candidate["deadline_end"], candidate["deadline_precision"]) == (deadline_end, precision)


@pytest.mark.parametrize(
    "sentence",
    [
        "If approved, the drug will be the first treatment for the disease.",
        "It's likely that the Nissan will carry more battery modules.",
        "Mary Barra warns that General Motors will not reach its goal of one million EVs by the end of 2025.",
        "The committee also recommends a ban on new gas boilers by 2035.",
        "The aim had been to build one million EVs by the end of 2025.",
        "Its previous plan proposed 15 models by 2025.",
        "Lufthansa and Emirates are adjusting their fleet plans to the postponed delivery timeline.",
        "Volkswagen does not want to reveal much about the battery.",
        "Shares in Tesla fell 4% on Tuesday after the company missed delivery forecasts.",
    ],
)
def test_what_only_sounds_like_a_claim_is_none(sentence):
    assert extract(sentence, KINDS_PUBLISHED) == []


@pytest.mark.parametrize(
    ("text", "claimants"),
    [
        ("Renault's Ampere team plans cobalt-free batteries by 2028.", ["Ampere"]),
        ("Nissan showed a concept in Paris. This forthcoming EV is expected to go on sale in 2026.", ["Nissan"]),
        ("Stellantis builds cars in Italy. The carmaker plans to open a plant in 2027.", ["Stellantis"]),
        ("GM will build a million EVs by 2025, Barra said.", ["GM"]),
        ("The plant will open in 2027, Barra said.", ["Barra"]),
        ("Ryanair flies to Spain. The route will open next year, according to the airline.", ["Ryanair"]),
        ("UK altnet CityFibre will invest £2.5 billion in fibre.", ["CityFibre"]),
        ("UK Prime Minister Boris Johnson has pledged 40 GW of offshore wind by 2030.", ["Boris Johnson"]),
        ("Renault's budget hatch, which aims for a starting price under 20 000 €, is due in 2026.", ["Renault"]),
    ],
)
def test_claimants_in_real_articles(text, claimants):
    assert [c.claimant for c in extract(text, KINDS_PUBLISHED)] == claimants


# --- Kinds added in the fourth and fifth rounds (docs/intake.md, "Quality"). Each sentence is
# written here, not taken from the labelled articles, so that these pin the rule, not a sentence.


@pytest.mark.parametrize(
    "sentence",
    [
        # Hedges alone: a possibility, not an undertaking.
        "Total spending could top $50 billion over the decade, the chief executive said.",
        "The new terminal may open in 2027, according to people close to the project.",
        "Consultants at Delmar said the drug might bring in $2 billion by 2030.",
        "Fleet cuts by rivals are likely to shrink capacity by 10% over the next two years.",
        # Beliefs and guesses are opinions.
        '"We believe that our network will change how people travel," the chief executive said.',
        '"My guess is it will take another two years," he said.',
        "The airline's boss reckons the recovery will bring record profits.",
        # What was said in a past month or year, told in the past.
        "In March, the operator said it would move AUD300 million of spending to rural sites.",
        "In May the carrier forecast between 50 million and 60 million passengers for the year.",
        "In 2019, the group announced plans to spend 1 trillion yen over five years.",
        "The airline said in June 2023 that it would buy 40 jets and receive them from 2026.",
        # A plan of the past, a withheld commitment, a hypothetical.
        "Originally slated for completion in 2028, the line will now open years later.",
        '"What we don\'t want to do is make people pay more at this stage," she said.',
        "He is reviewing rules that would require landlords to insulate every home by 2029.",
        # A reporting period, and a sentence told as done.
        "Profits grew 9 per cent to €2.1 billion in the six months to September 30th.",
        "The carrier flew 90 million passengers in the 12 months to March.",
        "The airline ordered another 150 jets earlier this month for delivery from 2028.",
        # A year in a plan's name, without a cue.
        "An opposition member asked the minister about the 2030 target in parliament.",
    ],
)
def test_kinds_that_only_sound_like_claims_are_none(sentence):
    assert extract(sentence, PUBLISHED) == [], sentence


@pytest.mark.parametrize(
    ("sentence", "end", "precision"),
    [
        ("The drugmaker will file its application with regulators on Monday.", D(2025, 5, 19), "day"),
        ("Deliveries are now expected to slip to as late as 2028.", D(2028, 12, 31), "year"),
        ('Under its "Horizon 2032" plan, the group will launch 12 new models.', D(2032, 12, 31), "year"),
        ("The minister said the 2035 ban on new petrol cars will be kept.", D(2035, 12, 31), "year"),
        ("In March, the company will open its second plant in Ohio.", D(2026, 3, 31), "month"),
        ("Grainger remains on track for 4 million homes passed by 2027.", D(2027, 12, 31), "year"),
        ("Corvane said it is spending $2 billion on new lines.", None, "none"),
    ],
)
def test_kinds_of_claims_and_their_deadlines(sentence, end, precision):
    [candidate] = extract(sentence, PUBLISHED)
    assert (candidate.deadline_end, candidate.deadline_precision) == (end, precision), sentence


def test_a_weekday_or_this_week_after_a_past_verb_is_when_it_happened():
    [candidate] = extract("The council approved the plan on Monday, and building will start in 2027.", PUBLISHED)
    assert candidate.deadline_end == D(2027, 12, 31)
    [candidate] = extract("Lumen confirmed this week that it is set to build a plant in Leeds.", PUBLISHED)
    assert candidate.deadline_end is None


def test_the_same_period_is_the_period_of_the_claim_before():
    text = (
        "Norda plans to sell 500,000 electric cars a year by 2028. "
        "The carmaker also plans to open 40 stores in Asia over the same period."
    )
    first, second = extract(text, PUBLISHED)
    assert second.deadline_end == first.deadline_end == D(2028, 12, 31)
    assert second.deadline_text == "over the same period"
    assert second.as_dict()["deadline_precision"] == "year"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # A model's number is part of its name: the count is the target.
        ("The airline is due to take 120 Boeing 737 Max planes by 2029.", ("=", 120, "planes")),
        ("The carrier expects Airbus's 350 jets to arrive late.", None),
        # From A to B is a change, not a range: at least B.
        ("The operator plans to expand 5G coverage from 80% to 92% this year.", (">=", 92, "%")),
        ("Grainger remains on track for 4 million homes passed by 2027.", (">=", 4000000, "homes")),
        (
            "The airline expects to exceed 2019 levels of 150 million passengers next year.",
            (">", 150000000, "passengers"),
        ),
        ("The bank pledged to be 100 percent carbon neutral by 2030.", (">=", 100, "%")),
        # About N is an estimate unless the sentence states an aim.
        ("The reactor is expected to supply about 6% of the country's electricity.", ("=", 6, "%")),
        ("The group aims to make around 300,000 vans a year.", (">=", 300000, "vans")),
        ("Citro is targeting global sales of 2 million by 2027.", (">=", 2000000, "sales")),
        ("By 2030 the airline will fly to 90 primary and 70 secondary airports.", (">=", 90, "airports")),
        ("The operator aims to deploy 40,000 5G sites by December.", (">=", 40000, "sites")),
        ("Google will invest to enable 4 GW of clean power.", (">=", 4, "GW")),
    ],
)
def test_kinds_of_targets(sentence, expected):
    target = parse_target(sentence)
    found = (target.comparator, target.value, target.unit) if target else None
    assert found == ((expected[0], Decimal(expected[1]), expected[2]) if expected else None), sentence


def test_an_amount_in_an_opening_aside_is_not_the_claims():
    sentence = "In the same week Orsted pledged $5 billion to expand a plant, Vestas said it will build a factory."
    assert parse_target(sentence) is None


@pytest.mark.parametrize(
    ("phrase", "start", "end", "precision"),
    [
        # "of this year" / "of next year" after a half or a quarter (a verbose regex once read "thisyear").
        ("It will launch in the second half of next year.", D(2026, 7, 1), D(2026, 12, 31), "half"),
        ("It will launch in the third quarter of this year.", D(2025, 7, 1), D(2025, 9, 30), "quarter"),
    ],
)
def test_a_half_or_quarter_of_this_or_next_year(phrase, start, end, precision):
    deadline = parse_deadline(phrase, PUBLISHED)
    assert (deadline.start, deadline.end, deadline.precision) == (start, end, precision)


@pytest.mark.parametrize(
    "sentence",
    [
        "Hybrids made up 30% of its sales in the first quarter of this year.",
        "Holm Energy had previously said the turbine would start up in 2027.",
        "Environmental groups said the new zones would drain local rivers.",
        "Union leaders warned that the plan would cost 2,000 jobs by 2027.",
    ],
)
def test_more_kinds_that_only_sound_like_claims_are_none(sentence):
    assert extract(sentence, PUBLISHED) == [], sentence


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Pellan will build a 300 MW electrolyser at its refinery.", ("=", 300, "MW")),
        ("The carrier plans to retire its remaining 12 older jets by March.", None),
        ("Karst aims to build a fleet of 10 reactors by 2040.", (">=", 10, "reactors")),
        (
            "The minister said the plan would help attract £20 billion of investment by 2030.",
            (">=", 20000000000, "GBP"),
        ),
    ],
)
def test_more_kinds_of_targets(sentence, expected):
    target = parse_target(sentence)
    found = (target.comparator, target.value, target.unit) if target else None
    assert found == ((expected[0], Decimal(expected[1]), expected[2]) if expected else None), sentence


# --- Kinds added in the seventh round, from the first fresh part's misses once it was read
# (docs/intake.md, "Quality"); again written here, not taken from the labelled articles.


@pytest.mark.parametrize(
    ("sentence", "end", "precision"),
    [
        # "to" starts an aim here, not the end of a reporting period ("in the six months to September").
        (
            "Pellworth said it would spend £800 million over the next two years to upgrade its lines.",
            D(2027, 5, 15),
            "year",
        ),
        # Counted from an event the text does not date: vague.
        ("Tarrow expects to break even within three years of opening the plant.", None, "vague"),
        # A signed contract to do something later is a commitment, with no other cue.
        ("The ministry has signed a contract with Ostra to deliver 40 trains over four years.", D(2029, 5, 15), "year"),
        # Reported speech with a noun as the subject of "would".
        ("The operator said fares would not rise until the new line opens.", None, "none"),
    ],
)
def test_seventh_round_claims_and_their_deadlines(sentence, end, precision):
    [candidate] = extract(sentence, PUBLISHED)
    assert (candidate.deadline_end, candidate.deadline_precision) == (end, precision), sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "Output averaged 78% of capacity in the second quarter.",  # a past verb before a period with no year
        "Volunteers in the study lost 9% of their weight over 40 weeks.",
        "Shareholders said they would consider selling their stake.",  # weighing it, not undertaking it
    ],
)
def test_seventh_round_kinds_that_only_sound_like_claims_are_none(sentence):
    assert extract(sentence, PUBLISHED) == [], sentence


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The carmaker plans to sell 80,000 of the vans a year by 2028.", (">=", 80000, "vans")),
        ("Skyway aims to have 40 aircraft in service by 2029.", (">=", 40, "aircraft")),
        ("The company will have a capacity of 9 GWh when the plant opens in 2027.", ("=", 9, "GWh")),
        ("It expects exports to account for two-thirds of sales by 2030.", (">=", Decimal("66.7"), "%")),
        ("Two-thirds of its sales were made abroad, it said, and it will open a plant in 2027.", None),
        ("Brenna will decide on its 800 MW solar park by June.", None),  # the size of what is decided on
        ("It has bought 12 tankers, the first of which will arrive in May.", None),  # a count already done
        ("Skyway will have added 30 routes by the end of next year.", ("=", 30, "routes")),
    ],
)
def test_seventh_round_kinds_of_targets(sentence, expected):
    target = parse_target(sentence)
    found = (target.comparator, target.value, target.unit) if target else None
    assert found == ((expected[0], Decimal(expected[1]), expected[2]) if expected else None), sentence


@pytest.mark.parametrize(
    ("text", "claimants"),
    [
        # A reference back to an organisation skips the analyst quoted in between.
        (
            'Fenwick Motors will open a plant in 2027. "It is ambitious," said Ana Lopes, an analyst at Brightline. '
            "The company also plans to cut prices by 10% by 2028.",
            ["Fenwick Motors", "Fenwick Motors"],
        ),
        ("Kestrel sells vans. The Ohio-area carmaker aims to build 9,000 vans a year by 2028.", ["Kestrel"]),
        ("Enginemaker Harrow expects the repairs to be done by March.", ["Harrow"]),
        (
            "Minister Paula Reyes said on Monday that the government will build 300 km of track by 2030.",
            ["Paula Reyes"],
        ),
        ("Electric buses are expected to cut emissions by 40% by 2030, according to the ministry.", ["the ministry"]),
        (
            "Norland Power will build a plant. The grid regulator says it will approve the link by May.",
            ["Norland Power", "the grid regulator"],
        ),
        (
            "Sable Air flies to Rome. It has ordered 8 Airbus A220 jets, the first of which are due in March.",
            ["Sable Air"],
        ),
        (
            "Carden Airport will expand. Airlines have complained about fees. "
            "The airport said fees would not rise until 2030.",
            ["Carden Airport", "Carden Airport"],
        ),
        (
            "Brill Group makes parts. Demand for diesel parts has fallen. "
            "The group now expects sales of €2 billion next year.",
            ["Brill"],
        ),
    ],
)
def test_seventh_round_claimants(text, claimants):
    assert [c.claimant for c in extract(text, PUBLISHED)] == claimants, text
