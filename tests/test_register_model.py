"""The claim register's data rules, enforced by the database and by the model."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims import services
from claims.models import Claim, MissingChangeReason, Precision, Status


def test_deadline_start_after_end_is_refused_by_the_database(make_claim, system):
    claim = make_claim()
    claim.deadline_start = datetime.date(2027, 1, 1)
    claim.deadline_end = datetime.date(2026, 12, 31)
    with pytest.raises(IntegrityError, match="claims_claim_deadline_ordered"), transaction.atomic():
        services.tracked_save(claim, by=system, reason="bypassing validation on purpose", validate=False)


def test_deadline_start_after_end_is_refused_by_validation(make_claim, system):
    claim = make_claim()
    claim.deadline_start = datetime.date(2027, 1, 1)
    with pytest.raises(ValidationError) as error:
        services.save_claim(claim, by=system, reason="moving the start")
    assert "deadline_start" in error.value.message_dict


def test_vague_precision_with_dates_is_refused_by_the_database(make_claim, system):
    claim = make_claim()
    claim.deadline_precision = Precision.VAGUE
    with pytest.raises(IntegrityError, match="claims_claim_precision_matches_dates"), transaction.atomic():
        services.tracked_save(claim, by=system, reason="bypassing validation", validate=False)


def test_vague_deadline_has_no_dates(make_claim):
    claim = make_claim(deadline_text="soon", deadline_start=None, deadline_end=None, deadline_precision="vague")
    assert claim.deadline_end is None and not claim.is_overdue and claim.days_left is None


def test_target_needs_comparator_and_value_in_the_database(make_claim, system):
    claim = make_claim()
    claim.target_comparator = "<"
    with pytest.raises(IntegrityError, match="claims_claim_target_complete"), transaction.atomic():
        services.tracked_save(claim, by=system, reason="half a target", validate=False)


def test_saving_a_tracked_model_without_a_reason_is_refused(make_claim):
    claim = make_claim()
    claim.status = Status.STALLED
    with pytest.raises(MissingChangeReason):
        claim.save()
    claim.refresh_from_db()
    assert claim.status == Status.PENDING


def test_target_display_reads_like_the_promise(make_claim):
    claim = make_claim(target_quantity="starting price", target_comparator="<", target_value=20000, target_unit="EUR")
    assert claim.target_display == "starting price < 20,000 EUR"


@pytest.mark.parametrize(
    ("now", "status", "overdue"),
    [
        ("2026-12-31 23:30", Status.PENDING, False),  # last day of the deadline, in the newsroom's zone
        ("2027-01-01 00:30", Status.PENDING, True),
        ("2027-01-01 00:30", Status.STALLED, True),
        ("2027-01-01 00:30", Status.MISSED, False),  # closed claims are never overdue
    ],
)
def test_is_overdue_follows_the_newsrooms_calendar(make_claim, settings, now, status, overdue):
    settings.TIME_ZONE = "Europe/Paris"
    claim = make_claim(status=status)
    # 23:30 in Paris is 22:30 UTC: still the deadline day there.
    with time_machine.travel(datetime.datetime.fromisoformat(now).replace(tzinfo=_paris()), tick=False):
        assert claim.is_overdue is overdue
        assert (claim in Claim.objects.overdue()) is overdue


def _paris():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Paris")


def test_published_returns_only_published_claims(make_claim, chiara):
    draft = make_claim()
    public = make_claim()
    services.publish(public, by=chiara)
    assert list(Claim.objects.published()) == [public]
    assert list(Claim.objects.drafts()) == [draft]


def test_status_is_open_or_closed():
    assert [s.value for s in Status if s.is_open] == ["pending", "in_progress", "stalled"]
    assert Status.FULFILLED.is_closed and Status.UNVERIFIABLE.is_closed
    assert Status("fulfilled_late").label == "Fulfilled late"


def test_slug_is_made_unique(make_claim):
    first = make_claim(statement="Same words")
    second = make_claim(statement="Same words")
    assert first.slug == "same-words" and second.slug == "same-words-2"


def test_source_url_is_unique_when_present(system):
    services.get_or_create_source(title="A", url="", by=system, reason="t")
    services.get_or_create_source(title="B", url="", by=system, reason="t")
    first, created = services.get_or_create_source(title="C", url="https://x.example/a", by=system, reason="t")
    again, created_again = services.get_or_create_source(title="C2", url="https://x.example/a", by=system, reason="t")
    assert created and not created_again and again == first
