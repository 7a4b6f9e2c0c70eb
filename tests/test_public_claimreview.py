"""schema.org ClaimReview markup, read back from the rendered page by a structured-data extractor."""

import datetime

import extruct
import pytest
import time_machine

from claims import services
from claims.models import Claim, Claimant, Status
from tests.test_public_support import FROZEN_TODAY

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache"), pytest.mark.django_db]


def json_ld(client, claim):
    response = client.get(claim.get_absolute_url())
    assert response.status_code == 200
    return extruct.extract(response.content.decode(), base_url="http://127.0.0.1:8000/", syntaxes=["json-ld"])[
        "json-ld"
    ]


def test_a_closed_claim_carries_a_claim_review_field_by_field(anonymous, demo, system):
    claim = Claim.objects.get(slug="example-motors-pack-cost-under-100-usd-kwh")
    later = services.get_or_create_source(
        title="Half-year report", url="https://example.org/demo/h1-report", publisher="Example Motors (demo)",
        published_on=datetime.date(2026, 7, 28), by=system, reason="test",
    )[0]  # fmt: skip
    services.add_appearance(claim, later, by=system, reason="test", quote="118 USD per kWh")
    (review,) = json_ld(anonymous, claim)
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["url"] == "http://127.0.0.1:8000/claims/example-motors-pack-cost-under-100-usd-kwh/"
    assert review["claimReviewed"] == claim.statement
    assert review["datePublished"] == claim.published_at.date().isoformat()
    assert review["author"] == {
        "@type": "Organization",
        "name": "factcheck newsroom",
        "url": "http://127.0.0.1:8000",
        "publishingPrinciples": "http://127.0.0.1:8000/methodology/",
    }
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Missed",
        "ratingExplanation": claim.verdict,
    }
    assert review["reviewBody"] == claim.verdict
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {
        "@type": "Organization",
        "name": "Example Motors (demo)",
        "url": "http://127.0.0.1:8000/claimants/example-motors-demo/",
    }
    assert item["datePublished"] == "2025-01-20"
    first, second = item["appearance"]
    assert first == item["firstAppearance"]
    assert first["url"] == "https://example.org/demo/example-motors-capital-markets-day"
    assert first["datePublished"] == "2025-01-20"
    assert first["publisher"] == {"@type": "Organization", "name": "Example Motors (demo)"}
    assert second["url"] == "https://example.org/demo/h1-report" and second["text"] == "118 USD per kWh"


@pytest.mark.parametrize(("status", "rating"), [(s, s.rating) for s in Status if s.is_closed])
def test_every_closed_status_is_rated_on_the_scale_or_by_its_label(anonymous, make_claim, chiara, status, rating):
    claim = make_claim(deadline_end=datetime.date(2026, 12, 31))
    late = status == Status.FULFILLED_LATE  # only after the deadline; every other outcome before it
    resolved_on = datetime.date(2027, 1, 15) if late else datetime.date(2026, 6, 1)
    services.change_status(claim, status, by=chiara, reason="rated", resolved_on=resolved_on)
    services.publish(claim, by=chiara)
    (review,) = json_ld(anonymous, claim)
    assert review["reviewRating"]["alternateName"] == status.label
    if rating is None:
        # "Unverifiable" is not a point between missed and fulfilled: no number at all.
        assert not {"ratingValue", "bestRating", "worstRating"} & review["reviewRating"].keys()
    else:
        assert review["reviewRating"]["ratingValue"] == rating


def test_date_published_is_when_readers_first_saw_the_current_status(anonymous, make_claim, chiara, elena):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)):
        claim = make_claim()
        services.publish(claim, by=chiara)
    with time_machine.travel(datetime.datetime(2026, 8, 2, 12, tzinfo=datetime.UTC)):
        services.change_status(
            claim, Status.FULFILLED, by=elena, reason="launched", resolved_on=datetime.date(2026, 7, 30)
        )
    with time_machine.travel(datetime.datetime(2026, 9, 9, 12, tzinfo=datetime.UTC)):
        claim.verdict = "Launched in Paris."
        services.save_claim(claim, by=elena, reason="verdict")
    with time_machine.travel(FROZEN_TODAY):
        (review,) = json_ld(anonymous, claim)
    assert review["datePublished"] == "2026-08-02"


def test_a_person_is_marked_as_a_person(anonymous, make_claim, chiara, system):
    person = services.get_or_create_claimant(
        "Jane Mayor", by=system, reason="test", kind=Claimant.Kind.PERSON, url="https://city.example/mayor"
    )[0]
    claim = make_claim(claimant=person)
    services.change_status(claim, Status.MISSED, by=chiara, reason="missed")
    services.publish(claim, by=chiara)
    (review,) = json_ld(anonymous, claim)
    assert review["itemReviewed"]["author"] == {
        "@type": "Person",
        "name": "Jane Mayor",
        "sameAs": "https://city.example/mayor",
        "url": "http://127.0.0.1:8000/claimants/jane-mayor/",
    }


def test_an_open_claim_has_no_claim_review(anonymous, demo):
    assert json_ld(anonymous, Claim.objects.get(slug="nissan-a-segment-ev-europe-2026")) == []


def test_markup_cannot_break_out_of_its_script_element(anonymous, make_claim, chiara):
    statement = 'Prices </script><script>alert(1)</script> & "quotes" <!-- will fall.'
    claim = make_claim(statement=statement)
    services.change_status(claim, Status.MISSED, by=chiara, reason="missed")
    services.publish(claim, by=chiara)
    html = anonymous.get(claim.get_absolute_url()).content.decode()
    data_block = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in data_block and ">" not in data_block and "&" not in data_block
    (review,) = json_ld(anonymous, claim)
    assert review["claimReviewed"] == statement
