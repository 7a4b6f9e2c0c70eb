"""One way of writing dates, times and targets across the desk, the intake and the emails."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from claims import formats, services
from claims.models import Comparator, Status
from claims.reminders.sweep import sweep
from tests.test_register_history import admin_form_data

D = datetime.date


@pytest.mark.parametrize(
    ("value", "written"),
    [(Decimal("20000.0000"), "20,000"), (Decimal("1.5000"), "1.5"), (Decimal("15"), "15"), (Decimal("0.0000"), "0"),
     (Decimal("1234567.25"), "1,234,567.25"), (Decimal("-3"), "-3"), (None, "")],
)  # fmt: skip
def test_numbers_are_grouped_without_trailing_zeros(value, written):
    assert formats.number(value) == written


def test_targets_read_like_the_promise():
    assert formats.target("<", Decimal("20000.0000"), "EUR") == "< 20,000 EUR"
    assert formats.target("<", Decimal("15.0000"), "min") == "< 15 min"
    assert formats.target(">=", Decimal("1000"), "vans", "vans delivered") == "vans delivered >= 1,000 vans"
    assert formats.target("<", Decimal("20000"), "EUR", "price", words=True) == "price: less than 20,000 EUR"
    assert formats.target("", None) == ""


def test_dates_and_times_are_written_for_a_newsroom(settings):
    settings.TIME_ZONE = "Europe/Paris"
    assert formats.newsroom_date(D(2026, 12, 2)) == "2 December 2026"
    moment = datetime.datetime(2026, 12, 2, 13, 5, tzinfo=datetime.UTC)
    assert formats.newsroom_datetime(moment) == "2 December 2026, 14:05 CET"
    assert formats.newsroom_date(None) == formats.newsroom_datetime(None) == ""


def test_djangos_own_formats_agree(settings):
    from django.template import Context, Template

    settings.TIME_ZONE = "Europe/Paris"
    moment = datetime.datetime(2026, 7, 2, 12, 5, tzinfo=datetime.UTC)
    with timezone.override("Europe/Paris"):
        shown = Template("{{ d|date }} | {{ t|date:'DATETIME_FORMAT' }}").render(
            Context({"d": D(2026, 12, 2), "t": moment})
        )
    assert shown == "2 December 2026 | 2 July 2026, 14:05 CEST"


@pytest.mark.parametrize("typed", ["2026-12-31", "31 December 2026", "31 Dec 2026", "31.12.2026"])
def test_the_claim_form_takes_iso_and_the_newsrooms_dates(client, elena, make_claim, typed):
    claim = make_claim()
    client.force_login(elena)
    data = admin_form_data(claim, deadline_end=typed)
    assert client.post(f"/admin/claims/claim/{claim.pk}/change/", data).status_code == 302
    claim.refresh_from_db()
    assert claim.deadline_end == D(2026, 12, 31)


def test_a_date_nobody_can_read_is_refused_with_the_input_kept(client, elena, make_claim):
    claim = make_claim()
    client.force_login(elena)
    response = client.post(f"/admin/claims/claim/{claim.pk}/change/", admin_form_data(claim, deadline_end="31/31/2026"))
    assert response.status_code == 200
    assert "deadline_end" in response.context["adminform"].form.errors
    assert 'value="31/31/2026"' in response.content.decode()


def test_the_desk_shows_targets_and_dates_without_database_noise(client, chiara, make_claim):
    claim = make_claim(target_quantity="starting price", target_comparator=Comparator.LT,
                       target_value=Decimal("20000"), target_unit="EUR")  # fmt: skip
    services.publish(claim, by=chiara, reason="Checked")
    client.force_login(chiara)
    page = client.get(f"/admin/claims/claim/{claim.pk}/change/").content.decode()
    assert 'name="target_value" value="20000"' in page and "20000.0000" not in page
    record = claim.history.order_by("history_id").first()
    version = client.get(f"/admin/claims/claim/{claim.pk}/history/{record.history_id}/").content.decode()
    assert "20,000" in version and "20000.0000" not in version
    assert "31 December 2026" in version and "2026-12-31" not in version
    history = client.get(f"/admin/claims/claim/{claim.pk}/history/").content.decode()
    assert "Published at:" in history and "Checked" in history and "+00:00" not in history


def test_the_reminder_email_writes_dates_and_targets_the_same_way(make_claim, elena):
    at = datetime.datetime(2026, 12, 24, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(at, tick=False):
        make_claim(assignee=elena, deadline_text="", deadline_end=D(2026, 12, 31), target_comparator=Comparator.LT,
                   target_value=Decimal("15"), target_unit="min", status=Status.IN_PROGRESS)  # fmt: skip
        sweep()
    body = mail.outbox[-1].body
    assert "31 December 2026" in body and "< 15 min" in body and "2026-12-31" not in body
