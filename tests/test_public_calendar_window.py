"""Which deadlines the subscribed calendar carries when there are more than it holds."""

import datetime

import icalendar
import pytest
from django.utils import timezone

from claims import calendar
from claims.models import Precision, Status
from tests.test_public_support import FROZEN_TODAY

TODAY = FROZEN_TODAY.date()

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache", "frozen_day"), pytest.mark.django_db]


def deadline_claim(make_claim, days_from_today: int, **fields):
    end = TODAY + datetime.timedelta(days=days_from_today)
    return make_claim(
        statement=f"Deadline {days_from_today:+d} days.",
        deadline_text=f"by {end:%d %B %Y}",
        deadline_start=end,
        deadline_end=end,
        deadline_precision=Precision.DAY,
        published_at=timezone.now(),
        **fields,
    )


def event_summaries(anonymous) -> list[str]:
    response = anonymous.get("/claims/deadlines.ics")
    assert response.status_code == 200
    return [
        str(event["SUMMARY"]).split(": ", 2)[2]
        for event in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    ]


def test_the_soonest_deadlines_come_first_and_the_recently_missed_are_kept(anonymous, make_claim, monkeypatch):
    monkeypatch.setattr(calendar, "UPCOMING_EVENTS", 3)
    monkeypatch.setattr(calendar, "PAST_EVENTS", 2)
    for days in (-400, -31, -30, -10, -1, 0, 1, 5, 200, 900):
        deadline_claim(make_claim, days)
    # Far more old overdue claims than the calendar holds must not push the future out.
    assert event_summaries(anonymous) == [
        "Deadline -10 days.", "Deadline -1 days.",  # the two latest missed (of four within PAST_DAYS)
        "Deadline +0 days.", "Deadline +1 days.", "Deadline +5 days.",  # the next three, today's included
    ]  # fmt: skip


def test_closed_drafts_and_undated_claims_are_left_out(anonymous, make_claim):
    deadline_claim(make_claim, 3)
    deadline_claim(make_claim, 4, status=Status.FULFILLED, resolved_on=TODAY)
    make_claim(statement="A draft.", deadline_end=TODAY)
    make_claim(
        statement="Someday.", deadline_text="soon", deadline_start=None, deadline_end=None,
        deadline_precision=Precision.VAGUE, published_at=timezone.now(),
    )  # fmt: skip
    assert event_summaries(anonymous) == ["Deadline +3 days."]
