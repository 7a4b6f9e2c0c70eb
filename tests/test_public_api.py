"""The read-only JSON API: filters like the list page, pagination, stable names, an OpenAPI document."""

import json

import pytest
import yaml

from claims.api.serializers import ClaimDetailSerializer, ClaimSerializer
from claims.models import Claim

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache", "frozen_day"), pytest.mark.django_db]

CLAIM_FIELDS = {
    "slug", "url", "api_url", "statement", "quote", "claimant", "source", "deadline", "target", "actual_value",
    "target_met", "status", "status_label", "status_definition", "is_open", "is_overdue", "resolved_on", "verdict",
    "published_at", "right_of_reply",
}  # fmt: skip


def slugs(client, query=""):
    response = client.get("/api/claims/" + query)
    assert response.status_code == 200, response.content
    return [claim["slug"] for claim in response.json()["results"]]


def test_list_gives_published_claims_with_stable_field_names(anonymous, demo):
    response = anonymous.get("/api/claims/")
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"page", "page_size", "next", "previous", "results"}
    assert (body["page"], body["next"], body["previous"]) == (1, None, None)
    assert len(body["results"]) == 9
    vans = next(c for c in body["results"] if c["slug"] == "example-motors-1000-vans-2025")
    assert set(vans) == CLAIM_FIELDS
    assert vans["claimant"] == {
        "name": "Example Motors (demo)",
        "slug": "example-motors-demo",
        "kind": "organization",
        "url": "",
        "page_url": "http://127.0.0.1:8000/claimants/example-motors-demo/",
    }
    assert vans["deadline"] == {
        "text": "in 2025",
        "start": "2025-01-01",
        "end": "2025-12-31",
        "precision": "year",
        "precision_label": "Year",
    }
    assert vans["target"] == {
        "quantity": "vans delivered",
        "comparator": ">=",
        "value": "1000",
        "unit": "vans",
        "display": "vans delivered >= 1,000 vans",
    }
    assert (vans["actual_value"], vans["target_met"]) == ("1000", True)
    assert (vans["status"], vans["status_label"], vans["is_open"]) == ("fulfilled_late", "Fulfilled late", False)
    assert vans["resolved_on"] == "2026-02-12"
    assert vans["source"]["published_on"] == "2025-01-20"
    assert vans["published_at"].endswith("Z")
    assert vans["url"] == "http://127.0.0.1:8000/claims/example-motors-1000-vans-2025/"
    assert vans["api_url"] == "http://127.0.0.1:8000/api/claims/example-motors-1000-vans-2025/"
    plant = next(c for c in body["results"] if c["slug"] == "example-motors-second-battery-plant")
    assert plant["is_overdue"] is True and plant["target"] is None and plant["resolved_on"] is None


def test_list_filters_like_the_list_page(anonymous, demo):
    assert slugs(anonymous, "?status=missed") == ["example-motors-pack-cost-under-100-usd-kwh"]
    assert set(slugs(anonymous, "?claimant=ampere")) == {
        "ampere-cobalt-free-batteries-2028",
        "ampere-recharge-under-15-minutes-2028",
    }
    assert slugs(anonymous, "?year=2025") == ["example-motors-1000-vans-2025"]
    assert slugs(anonymous, "?overdue=true") == ["example-motors-second-battery-plant"]
    assert slugs(anonymous, "?q=twingo hatch") == ["renault-twingo-hatch-under-20000-eur"]
    assert slugs(anonymous, "?sort=deadline")[0] == "example-motors-1000-vans-2025"
    latest_first = slugs(anonymous, "?status=open&sort=-deadline")
    assert latest_first[:2] == ["ampere-recharge-under-15-minutes-2028", "ampere-cobalt-free-batteries-2028"]


def test_list_pages_follow_next_links(anonymous, demo, settings):
    settings.SITE_URL = "https://claims.example"  # the canonical address, not the host asked
    seen, url = [], "/api/claims/?page_size=4&sort=deadline"
    while url:
        body = anonymous.get(url).json()
        seen += [claim["slug"] for claim in body["results"]]
        url = body["next"]
    assert len(seen) == 9 and len(set(seen)) == 9
    assert seen == slugs(anonymous, "?sort=deadline")
    second = anonymous.get("/api/claims/?page_size=4&page=2").json()
    assert second["previous"] == "https://claims.example/api/claims/?page_size=4"
    assert second["next"] == "https://claims.example/api/claims/?page=3&page_size=4"


@pytest.mark.parametrize(
    ("query", "field", "status"),
    [
        ("?status=maybe", "status", 400),
        ("?year=soon", "year", 400),
        ("?page=0", "page", 400),
        ("?page_size=1000", "page_size", 400),
        ("?page=99", None, 404),
    ],
)
def test_bad_parameters_get_a_clear_error(anonymous, demo, query, field, status):
    response = anonymous.get("/api/claims/" + query)
    assert response.status_code == status
    if field:
        assert field in response.json() and response.json()[field][0]
    else:
        assert response.json() == {"detail": "There is no such page."}


def test_detail_adds_the_timeline_and_appearances(anonymous, demo):
    body = anonymous.get("/api/claims/example-motors-1000-vans-2025/").json()
    assert set(body) == CLAIM_FIELDS | {"updates", "appearances"}
    assert body["updates"] == [
        {
            "date": "2026-02-12",
            "summary": "The 1,000th van was handed over.",
            "url": "",
            "status": "fulfilled_late",
            "status_label": "Fulfilled late",
        }
    ]
    assert body["appearances"] == []


def test_the_api_is_read_only(anonymous, demo):
    assert anonymous.post("/api/claims/", {"statement": "x"}).status_code == 405
    assert anonymous.delete("/api/claims/alpine-united-states/").status_code == 405
    assert Claim.objects.count() == 9


def test_openapi_document_describes_what_the_api_returns(anonymous, demo):
    response = anonymous.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/claims/", "/api/claims/{slug}/"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/claims/"]["get"]["parameters"]}
    assert {"status", "claimant", "year", "overdue", "q", "sort", "page", "page_size"} <= parameters
    components = schema["components"]["schemas"]
    assert set(components["Claim"]["properties"]) == CLAIM_FIELDS
    assert set(components["ClaimDetail"]["properties"]) == CLAIM_FIELDS | {"updates", "appearances"}
    paginated = components["PaginatedClaimList"]["properties"]
    assert set(paginated) == {"page", "page_size", "next", "previous", "results"}
    as_json = json.loads(anonymous.get("/api/schema/?format=json").content)
    assert as_json["info"]["title"] == "factcheck API"


def test_the_schema_format_follows_the_address_not_the_accept_header(anonymous, demo):
    asked_for_json = anonymous.get("/api/schema/", HTTP_ACCEPT="application/json")  # rendered and cached first
    plain = anonymous.get("/api/schema/")
    assert asked_for_json.content == plain.content
    assert plain["Content-Type"].startswith("application/vnd.oai.openapi;")
    assert yaml.safe_load(plain.content)["openapi"].startswith("3.")
    as_json = anonymous.get("/api/schema/?format=json", HTTP_ACCEPT="application/yaml")
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(as_json.content)["openapi"].startswith("3.")
    assert anonymous.get("/api/schema/?format=xml").status_code == 404


def test_declared_fields_match_the_fast_representation(demo):
    """The serializers build dictionaries by hand for speed; their declared fields (the schema) must agree."""
    claim = Claim.objects.get(slug="example-motors-1000-vans-2025")
    claim.public_updates, claim.public_appearances = list(claim.updates.all()), []
    assert set(ClaimSerializer().to_representation(claim)) == set(ClaimSerializer().fields)
    data = ClaimDetailSerializer().to_representation(claim)
    assert set(data) == set(ClaimDetailSerializer().fields)
    for name in ("claimant", "source", "deadline", "target"):
        assert set(data[name]) == set(ClaimSerializer().fields[name].fields), name


def test_openapi_document_is_valid_and_complete(tmp_path):
    """drf-spectacular checks the document against the OpenAPI schema and fails on any warning."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "PaginatedClaimList" in (tmp_path / "schema.yaml").read_text()
