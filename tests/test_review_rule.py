"""The two-person rule through the services: what waits for review, who may approve, what a decision does."""

import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from claims import services
from claims.models import Claim, Review, ReviewDecision, Status
from claims.review import ReviewRequired
from claims.services import StaleReview
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.review_rule]


@pytest.fixture
def marco(django_user_model):
    """A second chief editor."""
    return make_user(django_user_model, "marco", groups=["Editors", "Chief editors"])


@pytest.fixture
def published(make_claim):
    return make_claim(published_at=timezone.now())


def history_rows(claim):
    return list(Claim.history.filter(id=claim.pk).order_by("history_id"))


def test_an_editors_publication_waits_for_a_chief_and_goes_out_as_one_entry(
    client, make_claim, elena, chiara, django_capture_on_commit_callbacks
):
    claim = make_claim()
    before = len(history_rows(claim))
    review = services.request_review(claim, by=elena, reason="Ready: sourced twice", publish=True)
    claim.refresh_from_db()
    assert review.state == Review.State.PENDING and claim.published_at is None
    assert client.get(f"/claims/{claim.slug}/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_review(review, by=chiara, comment="Good")
    claim.refresh_from_db()
    review.refresh_from_db()
    assert claim.published_at is not None and review.state == Review.State.APPROVED
    rows = history_rows(claim)
    assert len(rows) == before + 1
    assert rows[-1].history_user == chiara
    assert rows[-1].history_change_reason == "Ready: sourced twice (asked by elena; approved by chiara)"
    assert client.get(f"/claims/{claim.slug}/").status_code == 200
    assert [message.to for message in mail.outbox] == [["elena@newsroom.example"]]
    assert "approved" in mail.outbox[0].subject


def test_every_service_path_to_readers_refuses_without_review(make_claim, published, chiara):
    draft = make_claim()
    with pytest.raises(ReviewRequired, match="Publishing a claim goes through review"):
        services.publish(draft, by=chiara)
    with pytest.raises(ReviewRequired, match="outcome"):
        services.change_status(published, Status.MISSED, by=chiara, reason="Deadline passed")
    published.refresh_from_db()
    with pytest.raises(ReviewRequired):
        services.add_update(published, summary="Cancelled", status=Status.WITHDRAWN, by=chiara)
    published.refresh_from_db()
    published.verdict = "They never did."
    with pytest.raises(ReviewRequired):
        services.save_claim(published, by=chiara, reason="Verdict")
    published.refresh_from_db()
    assert published.status == Status.PENDING and published.verdict == "" and not published.updates.exists()
    assert Claim.objects.get(pk=draft.pk).published_at is None


def test_what_readers_do_not_see_needs_no_review(make_claim, published, elena, chiara):
    draft = make_claim()
    services.change_status(draft, Status.MISSED, by=elena, reason="Draft's rating")
    services.change_status(published, Status.IN_PROGRESS, by=elena, reason="Works started")
    published.notes = "call them"
    services.save_claim(published, by=elena, reason="Note")
    services.unpublish(published, by=chiara)  # a takedown never waits
    assert Claim.objects.get(pk=published.pk).published_at is None


def test_without_the_rule_publish_and_change_status_are_as_before(settings, make_claim, chiara):
    settings.REVIEW_REQUIRED = False
    claim = services.publish(make_claim(), by=chiara)
    services.change_status(claim, Status.MISSED, by=chiara, reason="Deadline passed")
    claim.refresh_from_db()
    assert claim.published_at is not None and claim.status == Status.MISSED


def test_the_same_chief_cannot_approve_their_own_nor_can_an_editor(make_claim, elena, chiara, marco):
    review = services.request_review(make_claim(), by=chiara, reason="Ready", publish=True)
    with pytest.raises(PermissionDenied, match="other than you"):
        services.approve_review(review, by=chiara)
    with pytest.raises(PermissionDenied, match="Only chief editors"):
        services.approve_review(review, by=elena)
    assert not ReviewDecision.objects.exists()
    services.approve_review(review, by=marco)
    assert Claim.objects.get(pk=review.claim_id).published_at is not None


def test_a_returned_review_changes_nothing_public_and_the_submitter_is_told(
    published, elena, chiara, django_capture_on_commit_callbacks
):
    version, stamp = published.version, published.public_changed_at
    review = services.request_review(
        published, by=elena, reason="Missed", status=Status.MISSED, verdict="No car by the end of 2026."
    )
    with pytest.raises(ValidationError, match="Say why"):
        services.return_review(review, by=chiara, comment=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.return_review(review, by=chiara, comment="Wait for the annual report")
    published.refresh_from_db()
    assert (published.status, published.verdict, published.version) == (Status.PENDING, "", version)
    assert published.public_changed_at == stamp
    assert Review.objects.get().state == Review.State.RETURNED
    (message,) = mail.outbox
    assert message.to == ["elena@newsroom.example"] and "returned" in message.subject
    assert "Wait for the annual report" in message.body
    with pytest.raises(ValidationError, match="already returned by chiara"):
        services.approve_review(review, by=chiara)


def test_with_two_approvals_required_one_is_not_enough(settings, published, elena, chiara, marco):
    settings.REVIEW_APPROVALS = 2
    review = services.request_review(published, by=elena, reason="Missed", status=Status.MISSED)
    services.approve_review(review, by=chiara)
    review.refresh_from_db()
    published.refresh_from_db()
    assert review.state == Review.State.PENDING and review.decisions.count() == 1
    assert published.status == Status.PENDING
    with pytest.raises(ValidationError, match="already approved this review"):
        services.approve_review(review, by=chiara)
    with pytest.raises(ValidationError, match="already approved this review"):  # a page still showing Return
        services.return_review(review, by=chiara, comment="On second thoughts")
    services.approve_review(review, by=marco)
    published.refresh_from_db()
    assert published.status == Status.MISSED and published.resolved_on == timezone.localdate()
    assert history_rows(published)[-1].history_change_reason == "Missed (asked by elena; approved by chiara, marco)"


def test_a_review_of_a_claim_changed_since_is_refused_with_who_changed_it(published, elena, chiara):
    review = services.request_review(published, by=elena, reason="Missed", status=Status.MISSED)
    published.notes = "internal"  # not public: the review still stands
    services.save_claim(published, by=elena, reason="Note")
    published.statement = "Nissan will launch a different car."
    services.save_claim(published, by=elena, reason="Wording")
    with pytest.raises(StaleReview, match="changed by elena since this review was asked for"):
        services.approve_review(review, by=chiara)
    assert not ReviewDecision.objects.exists() and Review.objects.get().is_pending


def test_one_pending_review_per_claim_and_proposals_checked_when_asked(make_claim, elena):
    claim = make_claim()
    services.request_review(claim, by=elena, reason="Ready", publish=True)
    with pytest.raises(ValidationError, match="already awaits review"):
        services.request_review(claim, by=elena, reason="Again", publish=True)
    other = make_claim(published_at=timezone.now())
    with pytest.raises(ValidationError, match="use “Fulfilled late”"):
        services.request_review(
            other, by=elena, reason="Done", status=Status.FULFILLED, resolved_on=other.deadline_end.replace(year=2027)
        )
    with pytest.raises(ValidationError, match="Nothing to review"):
        services.request_review(other, by=elena, reason="Nothing", publish=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_racing_approvals_take_effect_once(make_claim, elena, chiara, marco):
    claim = make_claim()
    review = services.request_review(claim, by=elena, reason="Ready", publish=True)
    start = threading.Barrier(2)
    outcomes = {}

    def approve(user):
        try:
            start.wait(timeout=10)
            services.approve_review(Review.objects.get(pk=review.pk), by=user)
            outcomes[user.username] = "approved"
        except ValidationError as error:
            outcomes[user.username] = error.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in (chiara, marco)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    won = [name for name, outcome in outcomes.items() if outcome == "approved"]
    lost = [outcome for outcome in outcomes.values() if outcome != "approved"]
    assert len(won) == 1 and len(lost) == 1
    assert lost[0].startswith(f"This review was already approved by {won[0]} on ")
    assert ReviewDecision.objects.count() == 1
    published_rows = [row for row in history_rows(claim) if row.published_at is not None]
    assert len(published_rows) == 1
