"""Queries compiled once per connection and rows written once per process are never out of date."""

import datetime
import re

import icalendar
import pytest
import time_machine
from django.db import connections
from django.test.utils import CaptureQueriesContext

from claims import calendar, compiled, feeds, services
from claims.models import Claim, Claimant, Status
from claims.views import overview
from claims.views.base import ListedClaim
from tests.test_public_support import FROZEN_TODAY

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache", "frozen_day"), pytest.mark.django_db]


@pytest.fixture
def uncached(settings):
    """Every request runs its view: what is remembered below the response cache is what is tested."""
    settings.PUBLIC_CACHE_SECONDS = 0


def test_compiled_rows_are_the_querysets_own_rows(demo):
    built = []

    def build():
        built.append(1)
        return feeds._events_query(10)

    first = compiled.rows("test-feed", 10, build)
    assert [tuple(row) for row in first] == list(feeds._events_query(10)) and first
    assert compiled.rows("test-feed", 10, build) == first
    assert built == [1]  # compiled once for this connection and key


def test_compiled_values_read_the_rows_every_time(demo, chiara):
    before = compiled.values("test-calendar", 1, lambda: Claim.objects.order_by("id").values("id", "statement"))
    claim = Claim.objects.order_by("id").first()
    claim.statement = "Example Motors will open a third plant."
    services.save_claim(claim, by=chiara, reason="Reworded")
    after = compiled.values("test-calendar", 1, lambda: Claim.objects.order_by("id").values("id", "statement"))
    assert after[0] == {"id": claim.pk, "statement": "Example Motors will open a third plant."} != before[0]


def test_a_new_key_compiles_again(demo):
    today = FROZEN_TODAY.date()
    compiled_for_today = calendar.calendar_claims(today)
    with time_machine.travel(FROZEN_TODAY + datetime.timedelta(days=400), tick=False):
        later = calendar.calendar_claims(today + datetime.timedelta(days=400))
    assert {row.id for row in later} != {row.id for row in compiled_for_today}
    assert all(row.deadline_end >= today + datetime.timedelta(days=400 - calendar.PAST_DAYS) for row in later)


def rename(claimant_id: int, name: str, by) -> None:
    claimant = Claimant.objects.get(pk=claimant_id)
    claimant.name = name
    services.tracked_save(claimant, by=by, reason="New company name")


def test_a_renamed_claimant_shows_at_once_in_the_calendar_and_the_lists(anonymous, demo, chiara, uncached):
    claim = Claim.objects.get(pk=calendar.calendar_claims()[0].id)
    for address in ("/claims/deadlines.ics", "/claims/", "/"):
        assert anonymous.get(address).status_code == 200  # each row written once, and remembered
    rename(claim.claimant_id, "Renamed Motors Group", chiara)

    events = icalendar.Calendar.from_ical(anonymous.get("/claims/deadlines.ics").content).walk("VEVENT")
    summaries = [str(event["SUMMARY"]) for event in events if str(event["UID"]).startswith(f"claim-{claim.pk}@")]
    assert summaries == [f"Deadline: Renamed Motors Group: {claim.statement}"]
    assert "Renamed Motors Group" in anonymous.get("/claims/").content.decode()


def test_a_renamed_claimant_shows_at_once_in_the_feed(anonymous, demo, chiara, uncached):
    event = feeds.recent_events()[0]
    assert f"Claimant: {event.claimant}." in anonymous.get("/claims/feed/").content.decode()
    rename(Claim.objects.get(pk=event.claim_id).claimant_id, "Renamed Motors Group", chiara)
    feed = anonymous.get("/claims/feed/").content.decode()
    assert "Claimant: Renamed Motors Group." in feed and f"Claimant: {event.claimant}." not in feed


def test_a_status_change_moves_the_calendar_event_stamp(anonymous, demo, chiara, uncached):
    claim = Claim.objects.published().open().filter(deadline_end__gte=FROZEN_TODAY.date()).first()
    anonymous.get("/claims/deadlines.ics")
    later = FROZEN_TODAY + datetime.timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        services.change_status(claim, Status.STALLED, by=chiara, reason="No news for a year")
        events = icalendar.Calendar.from_ical(anonymous.get("/claims/deadlines.ics").content).walk("VEVENT")
    event = next(event for event in events if str(event["UID"]).startswith(f"claim-{claim.pk}@"))
    assert event["DTSTAMP"].dt == later
    assert "Status: Stalled" in str(event["DESCRIPTION"])


def test_rows_are_remembered_with_the_addresses_they_link_to(demo, settings):
    rows = calendar.calendar_claims()
    assert rows
    settings.SITE_URL = "https://first.example"
    first = calendar.deadlines_calendar(rows).decode()
    settings.SITE_URL = "https://second.example"
    second = calendar.deadlines_calendar(rows).decode()
    assert "https://first.example/claims/" in first and "https://first.example" not in second
    assert "https://second.example/claims/" in second


def test_the_compiled_query_is_kept_per_connection(demo):
    compiled.values("test-per-connection", 1, lambda: Claim.objects.values("id")[:1])
    assert "test-per-connection" in connections["default"].__dict__[compiled._ATTRIBUTE]


def test_the_overview_lists_follow_the_day(anonymous, demo, make_claim, chiara, uncached):
    today = FROZEN_TODAY.date()
    due_in_61_days = make_claim(
        statement="Example Motors will open a showroom in Lyon.",
        deadline_start=today + datetime.timedelta(days=61),
        deadline_end=today + datetime.timedelta(days=61),
        deadline_precision="day",
    )
    due_today = make_claim(
        statement="Example Motors will name a new chief executive.",
        deadline_start=today,
        deadline_end=today,
        deadline_precision="day",
    )
    for claim in (due_in_61_days, due_today):
        services.publish(claim, by=chiara, reason="Checked")
    due_soon, overdue = overview.due_soon_and_overdue(today)
    assert due_today.slug in [row.slug for row in due_soon]
    assert due_in_61_days.slug not in [row.slug for row in due_soon]
    assert due_today.slug not in [row.slug for row in overdue]

    tomorrow = today + datetime.timedelta(days=1)
    with time_machine.travel(FROZEN_TODAY + datetime.timedelta(days=1), tick=False):
        due_soon, overdue = overview.due_soon_and_overdue(tomorrow)
    assert due_in_61_days.slug in [row.slug for row in due_soon]
    assert due_today.slug in [row.slug for row in overdue] and due_today.slug not in [row.slug for row in due_soon]
    assert [row.slug for row in overdue][0] == due_today.slug  # the latest deadline first


def test_each_list_page_runs_its_own_filters(anonymous, demo, uncached):
    def slugs(address):
        response = anonymous.get(address)
        assert response.status_code == 200
        return set(re.findall(r'claim-item-statement"><a href="/claims/([\w-]+)/"', response.content.decode()))

    missed, fulfilled = slugs("/claims/?status=missed"), slugs("/claims/?status=fulfilled_late")
    assert missed and fulfilled and not missed & fulfilled
    assert slugs("/claims/?status=missed") == missed  # compiled once, run again: the same rows
    assert slugs("/claims/") >= missed | fulfilled


def test_the_overdue_list_follows_the_day(anonymous, demo, make_claim, chiara, uncached):
    today = FROZEN_TODAY.date()
    claim = make_claim(
        statement="Example Motors will name a new chief executive.",
        deadline_start=today,
        deadline_end=today,
        deadline_precision="day",
    )
    services.publish(claim, by=chiara, reason="Checked")
    assert claim.slug not in anonymous.get("/claims/?overdue=1").content.decode()
    with time_machine.travel(FROZEN_TODAY + datetime.timedelta(days=1), tick=False):
        assert claim.slug in anonymous.get("/claims/?overdue=1").content.decode()


@pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_fixed_queries_are_prepared_with_their_values_written_in(demo):
    def build():
        return Claim.objects.filter(status=Status.PENDING).order_by("id").values("id", "status")

    rows = compiled.values("test-prepared", ("pending",), build)
    assert rows == list(build()) and rows
    with CaptureQueriesContext(connections["default"]) as queries:
        assert compiled.values("test-prepared", ("pending",), build) == rows
    assert "'pending'" in queries.captured_queries[-1]["sql"]  # in Django's query log, as any other query
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT statement, parameter_types::text FROM pg_prepared_statements")
        prepared = dict(cursor.fetchall())
    statement = next(text for text in prepared if "claims_claim" in text and "'pending'" in text)
    assert prepared[statement] == "{}"  # no parameters: the plan is this query's own, never a generic one


@pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_prepared_rows_carry_the_same_moments_as_djangos(demo):
    """Prepared statements read timestamptz with psycopg's loader: the same aware values, in UTC, as Django's."""

    def build():
        return Claim.objects.order_by("id").values_list("id", "published_at", "created_at")

    first = compiled.rows("test-moments", 1, build)  # run by Django's cursor
    prepared = compiled.rows("test-moments", 1, build)  # prepared, with psycopg's loader
    assert [tuple(row) for row in prepared] == [tuple(row) for row in first] == list(build())
    moments = [moment for row in prepared for moment in row[1:] if moment is not None]
    assert moments and all(moment.tzinfo is datetime.UTC for moment in moments)
    assert [moment.isoformat() for row in first for moment in row[1:] if moment] == [m.isoformat() for m in moments]


@pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_without_prepared_statements_the_same_rows_are_read(demo, settings):
    settings.PREPARED_STATEMENTS = False

    def build():
        return Claim.objects.order_by("id").values("id", "slug")

    assert compiled.values("test-unprepared", 1, build) == compiled.values("test-unprepared", 1, build) == list(build())
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 0


@pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_psycopg_prepares_and_counts_nothing_else(demo):
    def build():
        return Claim.objects.order_by("id").values("id")

    compiled.values("test-threshold", 1, build)
    compiled.values("test-threshold", 1, build)  # prepared
    raw = connections["default"].connection
    assert raw.prepare_threshold is None  # Django's default again: other queries are neither counted nor prepared
    for _ in range(10):
        list(Claim.objects.filter(slug="nothing-by-this-name"))
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 1


def test_each_api_page_runs_its_own_filters(anonymous, demo, uncached):
    def slugs(query):
        response = anonymous.get("/api/claims/", query)
        assert response.status_code == 200
        return [item["slug"] for item in response.json()["results"]]

    missed, late = slugs({"status": "missed"}), slugs({"status": "fulfilled_late"})
    assert missed and late and not set(missed) & set(late)
    assert slugs({"status": "missed"}) == missed  # compiled once, run again: the same rows
    everything = slugs({})
    assert slugs({"page_size": 2}) == everything[:2] and slugs({"page_size": 2, "page": 2}) == everything[2:4]


@pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_arguments_stay_parameters_of_the_prepared_statement(demo):
    def build(slug):
        # A constant with "%" and "_" in it, written into the text, beside the argument.
        return Claim.objects.filter(slug=slug).exclude(statement__icontains="100%_").values("slug", "statement")

    slugs = list(Claim.objects.order_by("id").values_list("slug", flat=True)[:3])
    for _ in range(2):  # prepared from the second use on
        for slug in slugs:
            assert compiled.values("test-argument", 1, build, slug) == list(build(slug))
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT statement, parameter_types::text FROM pg_prepared_statements")
        prepared = [(text, types) for text, types in cursor.fetchall() if "'%100" in text]
    assert len(prepared) == 1 and prepared[0][1] != "{}"  # one statement for every slug, the slug its parameter


@pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="prepared statements are PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # autocommit, as a public page runs
def test_a_column_changed_by_another_process_does_not_break_the_prepared_query(system):
    import psycopg

    services.get_or_create_claimant("Example Motors", by=system, reason="test")

    def build():
        return Claimant.objects.order_by("id").values("name")

    assert compiled.values("test-migrated", 1, build) == compiled.values("test-migrated", 1, build)  # now prepared
    params = connections["default"].get_connection_params()
    other = psycopg.connect(
        **{key: value for key, value in params.items() if key in ("dbname", "user", "host", "port", "password")},
        autocommit=True,
    )
    other.execute("ALTER TABLE claims_claimant ALTER COLUMN name TYPE varchar(201)")  # as a deploy's migration
    try:
        assert compiled.values("test-migrated", 1, build) == [{"name": "Example Motors"}]
        assert compiled.values("test-migrated", 1, build) == [{"name": "Example Motors"}]
    finally:
        other.execute("ALTER TABLE claims_claimant ALTER COLUMN name TYPE varchar(200)")
        other.close()


def test_compiled_rows_are_the_querysets_own_rows_in_order(demo):
    def build():
        return Claim.objects.order_by("id").values_list("slug", "deadline_end", "claimant__name")

    assert [tuple(row) for row in compiled.rows("test-rows", 1, build)] == list(build())


def test_the_overview_lists_are_the_rows_of_their_own_queries(demo):
    """On PostgreSQL one tagged UNION ALL reads both lists: each must be its own query's rows, in its order."""
    today = FROZEN_TODAY.date()
    for _ in range(2):  # compiled, then prepared
        due_soon, overdue = overview.due_soon_and_overdue(today)
        assert due_soon == [ListedClaim._make(row[:-2]) for row in overview._due_soon(today)] and due_soon
        assert overdue == [ListedClaim._make(row[:-2]) for row in overview._overdue(today)] and overdue
