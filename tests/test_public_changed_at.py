"""Claim.public_changed_at: moved by every change readers can see, and by nothing else."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from claims import services
from claims.models import Claim, Status
from tests.test_public_support import run_fill

pytestmark = pytest.mark.django_db

WRITTEN = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
START = WRITTEN + datetime.timedelta(hours=1)  # published
LATER = START + datetime.timedelta(hours=3)


@pytest.fixture
def claim(make_claim, chiara):
    with time_machine.travel(WRITTEN, tick=False):
        claim = make_claim(status=Status.IN_PROGRESS)
    with time_machine.travel(START, tick=False):
        return services.publish(claim, by=chiara)


def stamp(claim) -> datetime.datetime:
    return Claim.objects.values_list("public_changed_at", flat=True).get(pk=claim.pk)


def test_a_claim_is_stamped_when_written_and_when_published(claim, make_claim):
    assert stamp(claim) == START
    with time_machine.travel(WRITTEN, tick=False):
        draft = make_claim()
    assert stamp(draft) == WRITTEN


def test_two_changes_in_one_instant_get_two_stamps(claim, chiara):
    with time_machine.travel(LATER, tick=False):
        services.change_status(claim, Status.STALLED, by=chiara, reason="Stalled")
        first = stamp(claim)
        claim.refresh_from_db()
        services.add_update(claim, summary="Still no news.", by=chiara)
        claim.refresh_from_db()
        claim.verdict = "Stalled for a year."
        services.save_claim(claim, by=chiara, reason="Verdict")
    assert first == LATER
    assert stamp(claim) == LATER + datetime.timedelta(microseconds=2)


@pytest.mark.parametrize(
    "change",
    [
        lambda claim: setattr(claim, "statement", "Nissan will launch two city cars."),
        lambda claim: setattr(claim, "status", Status.STALLED),
        lambda claim: setattr(claim, "deadline_text", "by the end of 2026"),
        lambda claim: setattr(claim, "published_at", None),
    ],
    ids=["statement", "status", "deadline", "unpublished"],
)
def test_a_public_field_moves_it(claim, chiara, change):
    with time_machine.travel(LATER, tick=False):
        change(claim)
        services.save_claim(claim, by=chiara, reason="Change")
    assert stamp(claim) == LATER


def test_notes_and_assignee_leave_it_alone(claim, chiara, elena):
    with time_machine.travel(LATER, tick=False):
        claim.notes = "Call the press office."
        services.save_claim(claim, by=chiara, reason="Note")
        services.assign(claim, elena, by=chiara)
    assert stamp(claim) == START


def test_the_history_does_not_record_it(claim):
    assert "public_changed_at" not in {field.name for field in Claim.history.model._meta.fields}


def test_an_update_to_the_timeline_moves_it_and_so_does_deleting_it(claim, chiara):
    with time_machine.travel(LATER, tick=False):
        update = services.add_update(claim, summary="Prototype shown in Geneva.", by=chiara)
    assert stamp(claim) == LATER
    with time_machine.travel(LATER + datetime.timedelta(hours=1), tick=False):
        services.tracked_delete(update, by=chiara, reason="Posted on the wrong claim")
    assert stamp(claim) == LATER + datetime.timedelta(hours=1)


def test_renaming_the_claimant_moves_its_claims_and_no_others(claim, make_claim, chiara):
    other_claimant = services.get_or_create_claimant("Renault", by=chiara, reason="test")[0]
    with time_machine.travel(START, tick=False):
        others = make_claim(claimant=other_claimant)
    with time_machine.travel(LATER, tick=False):
        claimant = claim.claimant
        claimant.name = "Nissan Motor"
        services.tracked_save(claimant, by=chiara, reason="Full name")
    assert stamp(claim) == LATER
    assert stamp(others) == START


def test_editing_a_source_moves_the_claims_it_is_quoted_in(claim, make_claim, chiara):
    with time_machine.travel(START, tick=False):
        elsewhere = services.get_or_create_source(
            title="Second story", url="https://news.example/2", by=chiara, reason="test"
        )[0]
        quoted_elsewhere = make_claim(source=elsewhere)
        services.add_appearance(claim, elsewhere, by=chiara, reason="Also reported")
        unrelated = make_claim(source=services.get_or_create_source(title="Third", by=chiara, reason="t")[0])
    with time_machine.travel(LATER, tick=False):
        elsewhere.publisher = "Evening Example"
        services.tracked_save(elsewhere, by=chiara, reason="Publisher")
    assert stamp(claim) == LATER  # through its further appearance
    assert stamp(quoted_elsewhere) == LATER  # its source
    assert stamp(unrelated) == START


def test_the_migration_fills_it_from_the_history(claim, chiara):
    """Migration 0008 dates existing claims by their history: public changes count, notes do not."""
    with time_machine.travel(LATER, tick=False):
        claim.status = Status.STALLED
        services.save_claim(claim, by=chiara, reason="Stalled")
    with time_machine.travel(LATER + datetime.timedelta(hours=1), tick=False):
        claim.notes = "Internal"
        services.save_claim(claim, by=chiara, reason="Note")
    Claim.objects.filter(pk=claim.pk).update(public_changed_at=None)

    run_fill("0008_claim_public_changed_at")
    assert stamp(claim) == LATER


def test_a_new_claim_written_now_is_stamped_now(make_claim):
    before = timezone.now()
    claim = make_claim()
    assert before <= stamp(claim) <= timezone.now()


def test_a_save_of_chosen_fields_still_moves_it(claim, chiara):
    """update_fields (or an instance loaded with deferred fields) would leave the stamp out of the UPDATE."""
    with time_machine.travel(LATER, tick=False):
        claim.status = Status.STALLED
        claim._history_user, claim._change_reason = chiara, "Stalled"
        claim.save(update_fields=["status"])
    assert stamp(claim) == LATER


def test_a_claim_loaded_with_deferred_fields_moves_it_when_saved(claim, chiara):
    with time_machine.travel(LATER, tick=False):
        partial = Claim.objects.defer("public_changed_at", "notes").get(pk=claim.pk)
        partial.statement = "Nissan will launch a city car in 2027."
        services.save_claim(partial, by=chiara, reason="Reworded")
    assert stamp(claim) == LATER
