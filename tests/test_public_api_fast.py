"""The API builds its claims by hand for speed; the declared serializer fields are the contract.

Each claim the API returns must equal DRF's own rendering of the declared fields
(``declared_representation``) key for key, in the same order and with the same formats, for
claims of every kind. If either side changes alone, these tests fail.
"""

import datetime
import json
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from rest_framework.renderers import JSONRenderer

from claims import services
from claims.api.serializers import ClaimDetailSerializer, ClaimSerializer
from claims.api.views import ClaimDetail
from claims.models import Claim, Precision, Status
from tests.test_public_support import FROZEN_TODAY, make_register

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache", "frozen_day"), pytest.mark.django_db]

TODAY = FROZEN_TODAY.date()


def save(by, **fields) -> Claim:
    fields.setdefault("published_at", FROZEN_TODAY - datetime.timedelta(days=400))
    return services.save_claim(Claim(**fields), by=by, reason="API test claim")


@pytest.fixture
def varied(system, commit):
    """Every status, with and without a target, dated and undated deadlines, an undated source, odd values."""
    with commit():
        make_register(27, by=system)  # three of each status; a target on every third, its outcome once closed
        person, _ = services.get_or_create_claimant(
            "Ana Moreau", kind="person", url="https://ana.example/", by=system, reason="test"
        )
        undated_source, _ = services.get_or_create_source(title="Speech", by=system, reason="test")
        save(
            system,
            slug="no-deadline",
            statement="Ana will “fix” it\u2028somehow — ünïcode.",
            claimant=person,
            source=undated_source,
            deadline_precision=Precision.NONE,
            # A whole second, in another zone: no fraction in the ISO form, and still UTC.
            published_at=datetime.datetime(2026, 3, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")),
        )
        save(
            system,
            slug="vague-bare-target",
            statement="Under 20000, whatever the unit.",
            claimant=person,
            source=undated_source,
            deadline_text="soon",
            deadline_precision=Precision.VAGUE,
            target_comparator="<",
            target_value=Decimal("20000"),
            actual_value=Decimal("19999.5"),
            status=Status.FULFILLED,
            resolved_on=TODAY,
            verdict="Met.",
        )
        save(
            system,
            slug="zero-target-due-today",
            statement="More than nothing by today.",
            claimant=person,
            source=undated_source,
            deadline_text="today",
            deadline_end=TODAY,
            deadline_precision=Precision.DAY,
            target_quantity="sites",
            target_comparator=">",
            target_value=Decimal("0"),
            target_unit="",
            status=Status.IN_PROGRESS,
        )
    return Claim.objects.published()


def api_claims(client, query: str) -> list[dict]:
    results, url = [], "/api/claims/" + query
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        results += body["results"]
        url = body["next"]
    return results


def as_json(data) -> str:
    return json.dumps(data, ensure_ascii=False)  # order-sensitive, unlike ==


def differing_fields(declared: dict, fast: dict) -> list[str]:
    return [name for name in declared.keys() | fast.keys() if declared.get(name) != fast.get(name)]


def test_every_listed_claim_equals_the_declared_rendering(anonymous, varied, settings):
    settings.SITE_URL = "https://claims.example"  # read per response, not once per process
    settings.TIME_ZONE = "Europe/Berlin"  # the newsroom's zone; published_at stays in UTC ("Z")
    listed = api_claims(anonymous, "?page_size=100")
    assert len(listed) == varied.count() == 30
    serializer = ClaimSerializer()
    for fast in listed:
        declared = serializer.declared_representation(Claim.objects.get(slug=fast["slug"]))
        assert differing_fields(declared, fast) == [], fast["slug"]
        assert as_json(fast) == as_json(declared), fast["slug"]

    # The comparison above covered what it claims to cover.
    assert {claim["status"] for claim in listed} == set(Status)
    assert {claim["target"] is None for claim in listed} == {True, False}
    assert {claim["target_met"] for claim in listed} == {True, False, None}
    assert {claim["is_overdue"] for claim in listed} == {True, False}
    assert {claim["deadline"]["precision"] for claim in listed} >= {"none", "vague", "day", "month"}
    assert any(claim["source"]["published_on"] is None for claim in listed)
    assert any(claim["resolved_on"] is None for claim in listed) and any(claim["resolved_on"] for claim in listed)
    assert all(claim["url"].startswith("https://claims.example/claims/") for claim in listed)


def test_the_odd_values_render_as_before(anonymous, varied):
    by_slug = {claim["slug"]: claim for claim in api_claims(anonymous, "?page_size=100")}
    undated = by_slug["no-deadline"]
    assert undated["deadline"] == {
        "text": "",
        "start": None,
        "end": None,
        "precision": "none",
        "precision_label": "No deadline",
    }
    assert undated["published_at"] == "2026-03-01T11:00:00Z"
    assert undated["claimant"]["page_url"] == "http://127.0.0.1:8000/claimants/ana-moreau/"
    bare = by_slug["vague-bare-target"]
    assert bare["target"] == {"quantity": "", "comparator": "<", "value": "20000", "unit": "", "display": "< 20,000"}
    assert (bare["actual_value"], bare["target_met"]) == ("19999.5", True)
    due_today = by_slug["zero-target-due-today"]
    assert (due_today["target"]["value"], due_today["is_overdue"], due_today["is_open"]) == ("0", False, True)
    raw = anonymous.get("/api/claims/?page_size=100").content.decode()
    assert "Ana will “fix” it\\u2028somehow — ünïcode." in raw  # DRF's escaping of U+2028, UTF-8 otherwise


def test_detail_equals_the_declared_rendering(anonymous, varied, system, commit):
    claim = Claim.objects.get(slug="promise-0")
    with commit():
        services.add_update(
            claim, summary="Stuck.", by=system, date=TODAY, url="https://news.example/s", status="stalled"
        )
        source, _ = services.get_or_create_source(title="Repeat", url="https://news.example/r", by=system, reason="t")
        undated, _ = services.get_or_create_source(title="Undated", by=system, reason="t")
        services.add_appearance(claim, source, by=system, reason="t", quote="again")
        services.add_appearance(claim, undated, by=system, reason="t")
    fast = anonymous.get("/api/claims/promise-0/").json()
    instance = ClaimDetail().get_queryset().get(slug="promise-0")
    declared = ClaimDetailSerializer().declared_representation(instance)
    assert len(declared["updates"]) == 2 and len(declared["appearances"]) == 2
    assert {update["status"] for update in declared["updates"]} == {"", "stalled"}
    assert differing_fields(declared, fast) == []
    assert as_json(fast) == as_json(declared)


def test_the_list_document_is_the_bytes_drf_would_write(anonymous, varied, settings):
    """Rows are written as JSON one by one and remembered (claim_json); the document is DRF's to the byte."""
    settings.PUBLIC_CACHE_SECONDS = 0  # every request runs the view
    response = anonymous.get("/api/claims/?page=2&page_size=10")
    assert response["Content-Type"] == "application/json"
    listed = json.loads(response.content)["results"]
    serializer = ClaimSerializer()
    expected = {
        "page": 2,
        "page_size": 10,
        "next": "http://127.0.0.1:8000/api/claims/?page=3&page_size=10",
        "previous": "http://127.0.0.1:8000/api/claims/?page_size=10",
        "results": [serializer.declared_representation(Claim.objects.get(slug=claim["slug"])) for claim in listed],
    }
    assert len(expected["results"]) == 10
    assert response.content == JSONRenderer().render(expected)
    assert anonymous.get("/api/claims/?page=2&page_size=10").content == response.content  # remembered rows


def test_remembered_rows_follow_the_claim_and_the_day(anonymous, varied, system, commit, settings):
    settings.PUBLIC_CACHE_SECONDS = 0  # every request runs the view: what is remembered is the rows' JSON

    def listed(slug):
        return next(claim for claim in api_claims(anonymous, "?page_size=100") if claim["slug"] == slug)

    assert listed("zero-target-due-today")["is_overdue"] is False
    claim = Claim.objects.get(slug="zero-target-due-today")
    with commit():
        claim.verdict = "Two sites so far."
        services.save_claim(claim, by=system, reason="Verdict")
    assert listed("zero-target-due-today")["verdict"] == "Two sites so far."
    with time_machine.travel(FROZEN_TODAY + datetime.timedelta(days=1), tick=False):
        assert listed("zero-target-due-today")["is_overdue"] is True  # no write: the next day
