"""Dates outside 1900-2200 are refused on every way in, and a row that holds one anyway breaks nothing.

A deadline typed as 9999-12-31 (or 0202 for 2020) used to be saved and then crash the
reminder schedule (``OverflowError`` past year 9999): a 500 on the save, and on every
sweep after it. Now the register refuses such dates with a form error (admin), a
ValidationError (services, so intake and every command too); and a row that got one
anyway (written before the rule, or by raw SQL) is shown and swept like any other.
"""

import datetime
import io

import icalendar
import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from claims import services
from claims.models import EARLIEST_DATE, LATEST_DATE, Claim, Precision, Source, Status, Update, validate_sane_date
from claims.reminders.sweep import sweep
from tests.test_public_support import FROZEN_TODAY, build_sitemaps
from tests.test_register_history import admin_form_data

pytest_plugins = ["tests.test_public_support"]
pytestmark = pytest.mark.django_db

FAR_FUTURE = datetime.date(9999, 12, 31)
LONG_AGO = datetime.date(1800, 1, 1)
REFUSED = "between 1900-01-01 and 2200-12-31"


# --- the rule ------------------------------------------------------------------------


@pytest.mark.parametrize("value", [EARLIEST_DATE, LATEST_DATE, datetime.date(2026, 2, 28)])
def test_dates_in_the_range_pass(value):
    validate_sane_date(value)
    validate_sane_date(datetime.datetime.combine(value, datetime.time(12), tzinfo=datetime.UTC))


@pytest.mark.parametrize(
    "value",
    [
        datetime.date(1899, 12, 31),
        datetime.date(2201, 1, 1),
        FAR_FUTURE,
        datetime.date.min,
        datetime.datetime.max.replace(tzinfo=datetime.UTC),
    ],
)
def test_dates_outside_it_are_refused(value):
    with pytest.raises(ValidationError, match=REFUSED):
        validate_sane_date(value)


# --- the admin -----------------------------------------------------------------------


@pytest.fixture
def claim(make_claim):
    return make_claim()


def add_form(claim: Claim, **overrides) -> dict:
    data = admin_form_data(claim, slug="", **overrides)
    data.pop("change_reason")
    return data


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("deadline_end", FAR_FUTURE),
        ("deadline_end", LONG_AGO),
        ("deadline_start", LONG_AGO),
        ("resolved_on", FAR_FUTURE),
    ],
)
def test_the_admin_refuses_them_when_adding_a_claim(client, chiara, claim, field, value):
    client.force_login(chiara)
    data = add_form(claim, statement="Renault will sell a flying car.", status=Status.MISSED, **{field: value})
    before = Claim.objects.count()
    response = client.post("/admin/claims/claim/add/", data)
    assert response.status_code == 200
    assert REFUSED in response.context["adminform"].form.errors[field][0]
    assert Claim.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("deadline_end", "9999-12-31"),
        ("deadline_end", "1800-01-01"),
        ("resolved_on", "9999-12-31"),
    ],
)
def test_the_admin_refuses_them_when_changing_a_claim(client, chiara, claim, field, value):
    client.force_login(chiara)
    data = admin_form_data(claim, status=Status.MISSED, change_reason="Missed", **{field: value})
    response = client.post(f"/admin/claims/claim/{claim.pk}/change/", data)
    assert response.status_code == 200
    assert REFUSED in response.context["adminform"].form.errors[field][0]
    claim.refresh_from_db()
    assert claim.deadline_end == datetime.date(2026, 12, 31)
    assert claim.status == Status.PENDING and claim.resolved_on is None and claim.published_at is None


def test_the_admin_form_cannot_set_the_publication_date(client, chiara, claim):
    """Publishing is the Publish button's (tests/test_desk_publication.py): a posted date is ignored."""
    client.force_login(chiara)
    data = admin_form_data(claim, change_reason="x", published_at_0="9999-12-31", published_at_1="12:00:00")
    assert client.post(f"/admin/claims/claim/{claim.pk}/change/", data).status_code == 302
    claim.refresh_from_db()
    assert claim.published_at is None


def test_the_admin_refuses_them_in_a_timeline_update_of_the_claim(client, elena, claim):
    client.force_login(elena)
    data = admin_form_data(claim, change_reason="News")
    data.update({"updates-TOTAL_FORMS": 1, "updates-0-date": "9999-12-31", "updates-0-summary": "Launched."})
    response = client.post(f"/admin/claims/claim/{claim.pk}/change/", data)
    assert response.status_code == 200
    assert REFUSED in str(response.context["inline_admin_formsets"][0].formset.errors)
    assert not Update.objects.exists()


def test_the_admin_refuses_them_for_an_update_and_a_source(client, elena, claim):
    client.force_login(elena)
    response = client.post(
        "/admin/claims/update/add/", {"claim": claim.pk, "date": "0202-05-01", "summary": "Launched.", "status": ""}
    )
    assert response.status_code == 200
    assert REFUSED in response.context["adminform"].form.errors["date"][0]
    assert not Update.objects.exists()

    source = claim.source
    response = client.post(
        f"/admin/claims/source/{source.pk}/change/",
        {"title": source.title, "url": source.url, "publisher": "", "published_on": "2250-01-01", "body": ""},
    )
    assert response.status_code == 200
    assert REFUSED in response.context["adminform"].form.errors["published_on"][0]
    source.refresh_from_db()
    assert source.published_on == datetime.date(2025, 5, 15)


# --- services, and what calls them ---------------------------------------------------


def test_the_services_refuse_them(make_claim, claim, elena, source):
    with pytest.raises(ValidationError, match=REFUSED):
        make_claim(deadline_end=FAR_FUTURE)
    claim.deadline_end = FAR_FUTURE
    with pytest.raises(ValidationError, match=REFUSED):
        services.save_claim(claim, by=elena, reason="Typo")
    claim.refresh_from_db()
    with pytest.raises(ValidationError, match=REFUSED):
        services.change_status(claim, Status.MISSED, by=elena, reason="Missed", resolved_on=LONG_AGO)
    claim.refresh_from_db()
    with pytest.raises(ValidationError, match=REFUSED):
        services.add_update(claim, summary="Launched.", date=FAR_FUTURE, by=elena)
    with pytest.raises(ValidationError, match=REFUSED):
        services.get_or_create_source(title="Old news", published_on=LONG_AGO, by=elena, reason="test")
    source.published_on = FAR_FUTURE
    with pytest.raises(ValidationError, match=REFUSED):
        services.tracked_save(source, by=elena, reason="Typo")
    assert Claim.objects.get(pk=claim.pk).deadline_end == datetime.date(2026, 12, 31)
    assert not Update.objects.exists()
    assert Source.objects.get(pk=source.pk).published_on == datetime.date(2025, 5, 15)


def test_intake_refuses_them_and_saves_nothing(client, elena):
    from tests.test_intake_admin import paste, review_form_data

    response = paste(client_as(client, elena))
    data = review_form_data(response.content.decode())
    data["candidates-0-keep"] = "on"
    data["candidates-0-deadline_precision"] = Precision.YEAR
    data["candidates-0-deadline_end"] = "9999-12-31"
    before = (Claim.objects.count(), Source.objects.count())
    response = client.post("/admin/intake/confirm/", data)
    # Refused by the services' validation today; the intake form may come to refuse it first.
    assert response.status_code == 400
    assert (Claim.objects.count(), Source.objects.count()) == before


def client_as(client, user):
    client.force_login(user)
    return client


# --- a row that holds such a date anyway -----------------------------------------------


def force(row, **columns) -> None:
    """Write columns straight into the row, as SQL written around the register (or before the rule) would."""
    assignments = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in columns)
    table = connection.ops.quote_name(row._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*columns.values(), row.pk])


OVERDUE = FROZEN_TODAY.date() - datetime.timedelta(days=3)


@pytest.fixture
def forced(make_claim, chiara, elena):
    """Published claims whose rows were given impossible dates after their reminders were scheduled."""
    with time_machine.travel(FROZEN_TODAY - datetime.timedelta(days=10), tick=False):
        late = make_claim(slug="far-future", deadline_end=OVERDUE, deadline_start=None, assignee=elena)
        early = make_claim(slug="long-ago", deadline_end=OVERDUE, deadline_start=None, assignee=elena)
        closed = make_claim(slug="closed", status=Status.MISSED, resolved_on=OVERDUE, assignee=elena)
        for claim in (late, early, closed):
            services.publish(claim, by=chiara)
        update = services.add_update(late, summary="Still planned.", by=chiara)
    force(late, deadline_start=datetime.date(9999, 1, 1), deadline_end=FAR_FUTURE)
    force(early, deadline_start=datetime.date.min, deadline_end=datetime.date.min)
    force(closed, resolved_on=FAR_FUTURE, published_at=datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC))
    force(update, date=FAR_FUTURE)
    force(late.source, published_on=datetime.date.min)  # the chart over time starts with it
    return late, early, closed


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_the_sweep_and_the_backfill_go_on(forced, settings, zone):
    settings.TIME_ZONE = zone
    with time_machine.travel(FROZEN_TODAY, tick=False):
        result = sweep()  # the rows scheduled for the old deadline are due, and moved
        call_command("sweep_deadlines", "--backfill", stdout=io.StringIO())
    assert result.cancelled >= 2
    assert Claim.objects.filter(reminders__deadline_end__in=[FAR_FUTURE, datetime.date.min]).count() == 0
    assert all(FAR_FUTURE.isoformat() not in message.body for message in mail.outbox)


PAGES = [
    "/", "/claims/", "/claims/?sort=deadline", "/claims/?sort=-deadline", "/claims/far-future/",
    "/claims/long-ago/", "/claims/closed/", "/claimants/nissan/", "/deadlines/", "/claims/deadlines.ics",
    "/claims/feed/", "/api/claims/", "/api/claims/?sort=-deadline", "/api/claims/far-future/",
    "/api/claims/closed/", "/sitemap.xml", "/sitemap-claims.xml",
]  # fmt: skip


@pytest.mark.usefixtures("public_cache")
@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"])
def test_public_pages_show_it(forced, anonymous, settings, zone):
    settings.TIME_ZONE = zone
    with time_machine.travel(FROZEN_TODAY, tick=False):
        build_sitemaps()  # as the worker does (sitemaps are never built in a request)
        for page in PAGES:
            response = anonymous.get(page)
            assert response.status_code == 200, page
        page = anonymous.get("/claims/far-future/").content.decode()
        assert "31 December 9999" in page and "days left" in page
        calendar = icalendar.Calendar.from_ical(anonymous.get("/claims/deadlines.ics").content)
        event = next(event for event in calendar.walk("VEVENT") if str(event["URL"]).endswith("/far-future/"))
        assert event.decoded("DTSTART") == FAR_FUTURE and event.decoded("DURATION") == datetime.timedelta(days=1)


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati"])
def test_the_admin_shows_it(forced, client, elena, zone, settings):
    settings.TIME_ZONE = zone
    client.force_login(elena)
    late, early, closed = forced
    with time_machine.travel(FROZEN_TODAY, tick=False):
        for page in [
            "/admin/claims/claim/", "/admin/claims/claim/?deadline=later", "/admin/claims/claim/due-soon/",
            f"/admin/claims/claim/{late.pk}/change/", f"/admin/claims/claim/{early.pk}/change/",
            f"/admin/claims/claim/{closed.pk}/change/", f"/admin/claims/claim/{late.pk}/history/",
            "/admin/claims/update/",
        ]:  # fmt: skip
            assert client.get(page).status_code == 200, page


def test_the_claim_list_actions_name_it_instead_of_failing(forced, client, chiara):
    """Every save validates the whole claim: an action on such a row says why it was refused, and what to fix."""
    client.force_login(chiara)
    late, early, _closed = forced
    force(early, published_at=None)
    for action, claims in [
        ("assign_to_me", [late, early]),
        ("publish_selected", [early]),
    ]:
        data = {"action": action, "_selected_action": [claim.pk for claim in claims]}
        response = client.post("/admin/claims/claim/", data, follow=True)
        assert response.status_code == 200, action
        shown = [str(message) for message in response.context["messages"]]
        assert len(shown) == len(claims) and all(REFUSED in message for message in shown), (action, shown)
    assert Claim.objects.get(pk=early.pk).published_at is None
    assert not Claim.objects.filter(assignee=chiara).exists()
    # A takedown is never held up by the rest of the row.
    response = client.post("/admin/claims/claim/", {"action": "unpublish_selected", "_selected_action": [late.pk]})
    assert response.status_code == 302
    assert Claim.objects.get(pk=late.pk).published_at is None


@pytest.mark.parametrize(
    ("variable", "value"), [("REMINDER_LEAD_DAYS", "30,4000000"), ("REMINDER_OVERDUE_EVERY_DAYS", "9999")]
)
def test_reminder_intervals_that_would_leave_the_calendar_stop_start_up(variable, value):
    from tests.test_register_settings import manage

    result = manage("check", DEBUG="1", **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and variable in result.stderr and "at most 3660" in result.stderr


def test_the_editor_is_told_and_can_correct_it(forced, client, elena):
    late = Claim.objects.get(pk=forced[0].pk)
    client.force_login(elena)
    url = f"/admin/claims/claim/{late.pk}/change/"
    response = client.post(url, admin_form_data(late, verdict="Checked."))
    assert response.status_code == 200
    assert REFUSED in response.context["adminform"].form.errors["deadline_end"][0]
    fixed = admin_form_data(late, deadline_start="2029-01-01", deadline_end="2029-12-31", change_reason="Typo")
    with time_machine.travel(FROZEN_TODAY, tick=False):
        assert client.post(url, fixed).status_code == 302
    assert late.reminders.pending().filter(deadline_end=datetime.date(2029, 12, 31)).exists()
