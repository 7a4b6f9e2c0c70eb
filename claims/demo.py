"""Demo claims, written in the project's own words.

The first six come from the story this product started from (Nissan's Twingo-based
city car, Ampere's battery plans, Alpine in the United States). "Example Motors" is a
made-up company that shows the rest of the promise meter: an overdue claim, one
fulfilled late and one missed.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from claims import services
from claims.models import Claim, Claimant, Comparator, Precision, Source, Status

REASON = "Demo data (load_demo)"

CLAIMANTS = {
    "nissan": ("Nissan", "https://www.nissan-global.com/"),
    "renault": ("Renault", "https://www.renaultgroup.com/"),
    "ampere": ("Ampere", "https://www.renaultgroup.com/en/our-company/ampere/"),
    "alpine": ("Alpine", "https://www.alpinecars.com/"),
    "example-motors": ("Example Motors (demo)", ""),
}

SOURCES = {
    "city-car": {
        "title": "Nissan's Twingo-based city car and Ampere's cobalt-free battery plans",
        "url": "https://example.org/demo/nissan-twingo-city-car",
        "publisher": "Demo Motoring Desk",
        "published_on": datetime.date(2025, 5, 15),
    },
    "capital-markets-day": {
        "title": "Example Motors capital markets day (demo)",
        "url": "https://example.org/demo/example-motors-capital-markets-day",
        "publisher": "Example Motors (demo)",
        "published_on": datetime.date(2025, 1, 20),
    },
}

CLAIMS = [
    {
        "slug": "nissan-a-segment-ev-europe-2026",
        "claimant": "nissan",
        "source": "city-car",
        "statement": "Nissan will launch a small A-segment electric car in Europe, built on Renault's AmpR Small "
        "platform and based on the Renault Twingo, by 2026.",
        "quote": "expected to debut across Europe by 2026",
        "deadline_text": "by 2026",
        "deadline_start": datetime.date(2025, 5, 15),
        "deadline_end": datetime.date(2026, 12, 31),
        "deadline_precision": Precision.YEAR,
        "status": Status.IN_PROGRESS,
        "published": True,
    },
    {
        "slug": "renault-twingo-hatch-under-20000-eur",
        "claimant": "renault",
        "source": "city-car",
        "statement": "Renault's Twingo-based budget hatch will have a starting price under 20,000 EUR.",
        "quote": "aims for a starting price under 20,000 EUR",
        "deadline_text": "at launch (no date given)",
        "deadline_precision": Precision.VAGUE,
        "target": ("starting price", Comparator.LT, Decimal("20000"), "EUR"),
        "published": True,
    },
    {
        "slug": "nissan-city-car-below-micra",
        "claimant": "nissan",
        "source": "city-car",
        "statement": "Nissan's A-segment electric car will sit below the next-generation Micra in Nissan's range.",
        "deadline_precision": Precision.NONE,
        "published": True,
    },
    {
        "slug": "ampere-cobalt-free-batteries-2028",
        "claimant": "ampere",
        "source": "city-car",
        "statement": "Ampere will introduce cobalt-free batteries that combine NCM-like energy density with "
        "LFP-like cost and safety by 2028.",
        "quote": "plans cobalt-free batteries by 2028",
        "deadline_text": "by 2028",
        "deadline_start": datetime.date(2025, 5, 15),
        "deadline_end": datetime.date(2028, 12, 31),
        "deadline_precision": Precision.YEAR,
        "published": True,
    },
    {
        "slug": "ampere-recharge-under-15-minutes-2028",
        "claimant": "ampere",
        "source": "city-car",
        "statement": "Ampere's cobalt-free batteries will recharge in under 15 minutes by 2028.",
        "quote": "with a recharge time under 15 minutes",
        "deadline_text": "by 2028",
        "deadline_start": datetime.date(2025, 5, 15),
        "deadline_end": datetime.date(2028, 12, 31),
        "deadline_precision": Precision.YEAR,
        "target": ("recharge time", Comparator.LT, Decimal("15"), "min"),
        "published": True,
    },
    {
        "slug": "alpine-united-states",
        "claimant": "alpine",
        "source": "city-car",
        "statement": "Alpine will start selling its cars in the United States.",
        "deadline_text": "no date given",
        "deadline_precision": Precision.NONE,
        "published": True,
    },
    {
        "slug": "example-motors-second-battery-plant",
        "claimant": "example-motors",
        "source": "capital-markets-day",
        "statement": "Example Motors will open its second battery plant by the end of September 2026.",
        "deadline_text": "by the end of September 2026",
        "deadline_start": datetime.date(2025, 1, 20),
        "deadline_end": datetime.date(2026, 9, 30),
        "deadline_precision": Precision.MONTH,
        "status": Status.STALLED,
        "verdict": "Construction paused in spring 2026; no opening date has been given since.",
        "published": True,
        "updates": [(datetime.date(2026, 4, 2), "The company paused construction at the plant site.", "")],
    },
    {
        "slug": "example-motors-1000-vans-2025",
        "claimant": "example-motors",
        "source": "capital-markets-day",
        "statement": "Example Motors will deliver its first 1,000 electric vans in 2025.",
        "deadline_text": "in 2025",
        "deadline_start": datetime.date(2025, 1, 1),
        "deadline_end": datetime.date(2025, 12, 31),
        "deadline_precision": Precision.YEAR,
        "target": ("vans delivered", Comparator.GE, Decimal("1000"), "vans"),
        "actual": Decimal("1000"),
        "verdict": "The 1,000th van was delivered in February 2026, about six weeks late.",
        "published": True,
        "updates": [(datetime.date(2026, 2, 12), "The 1,000th van was handed over.", Status.FULFILLED_LATE)],
    },
    {
        "slug": "example-motors-pack-cost-under-100-usd-kwh",
        "claimant": "example-motors",
        "source": "capital-markets-day",
        "statement": "Example Motors will bring its battery pack cost below 100 USD per kWh in the first half of 2026.",
        "deadline_text": "in the first half of 2026",
        "deadline_start": datetime.date(2026, 1, 1),
        "deadline_end": datetime.date(2026, 6, 30),
        "deadline_precision": Precision.HALF,
        "target": ("battery pack cost", Comparator.LT, Decimal("100"), "USD/kWh"),
        "actual": Decimal("118"),
        "verdict": "The company's half-year report gives a pack cost of 118 USD per kWh.",
        "published": True,
        "updates": [(datetime.date(2026, 7, 28), "Half-year report: pack cost 118 USD per kWh.", Status.MISSED)],
    },
]


@transaction.atomic
def load_demo(*, assignee_username: str | None = None) -> tuple[int, int]:
    """Create the demo claims that are missing; leave existing ones as editors left them.

    Returns (created, already present). Safe to run any number of times.
    """
    by = services.system_user()
    assignee = None
    if assignee_username:
        assignee = get_user_model().objects.get(username=assignee_username)

    claimants = {}
    for key, (name, url) in CLAIMANTS.items():
        claimants[key], _ = services.get_or_create_claimant(name, by=by, reason=REASON, url=url)
    sources = {}
    for key, fields in SOURCES.items():
        sources[key], _ = services.get_or_create_source(by=by, reason=REASON, **fields)

    existing = set(Claim.objects.filter(slug__in=[c["slug"] for c in CLAIMS]).values_list("slug", flat=True))
    created = 0
    for spec in CLAIMS:
        if spec["slug"] in existing:
            continue
        _create_demo_claim(spec, claimants, sources, assignee, by)
        created += 1
    return created, len(CLAIMS) - created


def _create_demo_claim(spec: dict, claimants: dict[str, Claimant], sources: dict[str, Source], assignee, by):
    quantity, comparator, value, unit = spec.get("target", ("", "", None, ""))
    claim = Claim(
        slug=spec["slug"],
        claimant=claimants[spec["claimant"]],
        source=sources[spec["source"]],
        statement=spec["statement"],
        quote=spec.get("quote", ""),
        deadline_text=spec.get("deadline_text", ""),
        deadline_start=spec.get("deadline_start"),
        deadline_end=spec.get("deadline_end"),
        deadline_precision=spec["deadline_precision"],
        target_quantity=quantity,
        target_comparator=comparator,
        target_value=value,
        target_unit=unit,
        actual_value=spec.get("actual"),
        status=spec.get("status", Status.PENDING),
        verdict=spec.get("verdict", ""),
        assignee=assignee,
    )
    services.save_claim(claim, by=by, reason=REASON)
    for date, summary, status in spec.get("updates", []):
        services.add_update(claim, date=date, summary=summary, status=status, by=by, reason=REASON)
    if spec.get("published"):
        claim.published_at = claim.created_at
        services.save_claim(claim, by=by, reason=f"{REASON}: published")
    return claim
