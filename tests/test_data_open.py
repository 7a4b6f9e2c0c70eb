"""Open data: /data/claims.csv and .json, built by a worker, served as files with ETag; export_claims the same."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from claims import public_cache, services
from claims.opendata import build, refresh, store

CSV_URL = reverse("opendata-file", kwargs={"format": "csv"})
JSON_URL = reverse("opendata-file", kwargs={"format": "json"})


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "opendata": {**settings.STORAGES["opendata"], "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture
def register(make_claim, chiara, django_capture_on_commit_callbacks):
    # After commit, as in production: the public generation moves on (claims.public_cache).
    with django_capture_on_commit_callbacks(execute=True):
        claim = make_claim(notes="Internal: ask the mayor's office.", verdict="On track.")
        published = services.publish(claim, by=chiara)
        draft = make_claim(statement="A draft nobody may see yet.")
    return published, draft


def test_before_the_first_build_the_files_answer_503_with_retry_after(client, db):
    response = client.get(CSV_URL)
    assert response.status_code == 503 and response["Retry-After"] == "120"
    assert "being built" in client.get(reverse("opendata")).content.decode()


def test_the_files_hold_published_claims_with_public_fields_and_the_licence(client, register, settings):
    published, draft = register
    assert refresh.build_if_needed() is not None
    response = client.get(JSON_URL)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert 'rel="license"' in response["Link"] and "creativecommons.org/licenses/by/4.0" in response["Link"]
    data = json.loads(b"".join(response.streaming_content))
    assert data["license"] == {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
    assert data["schema_version"] == 1
    assert [claim["slug"] for claim in data["claims"]] == [published.slug]
    # Exactly what the API shows of the claim.
    api = client.get(reverse("api-claim-detail", kwargs={"slug": published.slug})).json()
    assert data["claims"][0] == {key: value for key, value in api.items() if key not in ("updates", "appearances")}

    text = b"".join(client.get(CSV_URL).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == build.CSV_COLUMNS
    assert [row["slug"] for row in rows] == [published.slug]
    assert rows[0]["claimant_name"] == "Nissan" and rows[0]["verdict"] == "On track." and rows[0]["is_open"] == "true"
    for body in (text, json.dumps(data)):
        assert "Internal" not in body and draft.slug not in body and "notes" not in body and "assignee" not in body

    page = client.get(reverse("opendata")).content.decode()
    assert "CC BY 4.0" in page and 'href="claims.csv"' in page and 'href="claims.json"' in page
    assert f"Please name {settings.NEWSROOM_NAME} and link" in page


def test_free_text_that_a_spreadsheet_would_run_is_written_as_text_in_the_csv_only(client, make_claim, chiara):
    claim = make_claim(statement='=HYPERLINK("https://evil.example","Click") will launch by 2027.', verdict="@SUM(1)")
    services.publish(claim, by=chiara)
    assert refresh.build_if_needed() is not None
    text = b"".join(client.get(CSV_URL).streaming_content).decode()
    [row] = csv.DictReader(io.StringIO(text))
    assert row["statement"] == """'=HYPERLINK("https://evil.example","Click") will launch by 2027."""
    assert row["verdict"] == "'@SUM(1)" and row["slug"] == claim.slug
    data = json.loads(b"".join(client.get(JSON_URL).streaming_content))
    assert data["claims"][0]["statement"] == claim.statement and data["claims"][0]["verdict"] == "@SUM(1)"


def test_etag_and_304(client, register):
    refresh.build_if_needed()
    first = client.get(CSV_URL)
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    again = client.get(CSV_URL, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag


def test_a_public_change_rebuilds_them_and_an_unchanged_register_writes_the_same_bytes(
    client, register, chiara, django_capture_on_commit_callbacks
):
    published, draft = register
    first = refresh.build_if_needed()
    assert refresh.build_if_needed() is None  # current
    assert refresh.build_if_needed(force=True)["files"] == first["files"]  # same content, same names and ETags
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(draft, by=chiara)
    second = refresh.build_if_needed()
    assert second["files"]["csv"]["etag"] != first["files"]["csv"]["etag"]
    assert draft.slug in b"".join(client.get(CSV_URL).streaming_content).decode()
    # A change of a draft (or of notes) is not public: nothing to build.
    with django_capture_on_commit_callbacks(execute=True):
        published.notes = "Still internal."
        services.save_claim(published, by=chiara, reason="notes")
    assert refresh.build_if_needed() is None


def test_export_claims_writes_the_same_bytes(client, register, tmp_path):
    refresh.build_if_needed()
    for format, url in (("csv", CSV_URL), ("json", JSON_URL)):
        output = tmp_path / f"out.{format}"
        call_command("export_claims", "--format", format, "--output", str(output))
        assert output.read_bytes() == b"".join(client.get(url).streaming_content)


def test_a_change_queues_a_build_once_within_the_interval(
    settings, register, chiara, django_capture_on_commit_callbacks
):
    settings.PUBLIC_REFRESH_IN_BACKGROUND = True
    published, draft = register
    queued = public_cache.data_key(refresh.QUEUED)
    assert cache.get(queued) is None
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(draft, by=chiara)
    assert cache.get(queued) == 1  # queued once ...
    assert refresh.ask_for_build() is False  # ... and not again within OPEN_DATA_SECONDS


def test_two_builds_at_once_do_not_both_run(register):
    cache.add(public_cache.data_key(refresh.BUILDING), "someone else", timeout=60)
    assert refresh.build_if_needed() is None
    assert store.manifest() is None


def test_serving_reads_no_sql(client, register, django_assert_num_queries):
    refresh.build_if_needed()
    with django_assert_num_queries(0):
        assert client.get(CSV_URL).status_code == 200
        assert client.get(JSON_URL, HTTP_IF_NONE_MATCH='"nope"').status_code == 200
        assert client.get(reverse("opendata")).status_code == 200
    assert client.get(reverse("opendata-file", kwargs={"format": "xml"})).status_code == 404


@pytest.mark.parametrize("change", ["unpublish", "correction"])
def test_a_takedown_or_a_correction_withdraws_the_files_until_the_next_build(
    client, register, chiara, change, django_capture_on_commit_callbacks
):
    """No file built before may go on serving a name taken off the site or corrected wording."""
    published, _draft = register
    assert refresh.build_if_needed() is not None
    assert published.statement in b"".join(client.get(JSON_URL).streaming_content).decode()
    with django_capture_on_commit_callbacks(execute=True):
        if change == "unpublish":
            services.unpublish(published, by=chiara, reason="Legal request")
        else:
            published.statement = "Nissan will launch a compact EV in Europe."
            services.save_claim(published, by=chiara, reason="Wording", correction="We misquoted the model.")
    withdrawn = client.get(JSON_URL)
    assert withdrawn.status_code == 503 and withdrawn["Retry-After"]
    assert refresh.build_if_needed() is not None
    served = b"".join(client.get(JSON_URL).streaming_content).decode()
    assert (change == "correction") == (published.slug in served)
