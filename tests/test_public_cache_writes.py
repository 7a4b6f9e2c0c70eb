"""Writes move the public cache's generation on once per transaction, after commit, and only when readers can tell."""

import pytest
from django.core.cache import cache
from django.db import transaction

from claims import public_cache, services
from claims.models import Claim

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache"), pytest.mark.django_db]


def generation():
    return cache.get(public_cache.GENERATION_KEY)


def invalidations(callbacks):
    """The public cache's own after-commit callbacks (other features schedule theirs too)."""
    return [callback for callback in callbacks if callback.__name__ == "invalidate_after_commit"]


@pytest.fixture
def published(demo):
    return list(Claim.objects.published().order_by("id")[:3])


def test_internal_edits_of_published_claims_leave_the_cache_alone(
    published, elena, chiara, django_capture_on_commit_callbacks
):
    before = generation()
    with django_capture_on_commit_callbacks() as callbacks:
        for claim in published:  # the admin's bulk "Assign to me"
            services.assign(claim, elena, by=elena, reason="Assigned to me from the claim list")
        published[0].notes = "Call the press office on Monday."
        services.save_claim(published[0], by=chiara, reason="Note")
        services.assign(published[1], None, by=chiara, reason="Unassigned")
    assert invalidations(callbacks) == [] and not public_cache.has_uncommitted_changes()
    assert generation() == before


def test_public_writes_in_one_transaction_move_the_generation_once_after_commit(
    anonymous, published, chiara, django_capture_on_commit_callbacks
):
    before = generation()
    with django_capture_on_commit_callbacks() as callbacks:
        for claim in published:
            claim.verdict = "Checked again."
            services.save_claim(claim, by=chiara, reason="Verdict")
            services.assign(claim, chiara, by=chiara, reason="Mine")
        assert generation() == before  # no Redis call inside the transaction
        assert public_cache.has_uncommitted_changes()
        response = anonymous.get(published[0].get_absolute_url())
        assert "Checked again." in response.content.decode()  # the writer reads its own rows, uncached
    assert len(invalidations(callbacks)) == 1
    invalidations(callbacks)[0]()
    assert generation() != before and not public_cache.has_uncommitted_changes()


@pytest.mark.parametrize(
    "change",
    [
        lambda claim: setattr(claim, "status", "stalled" if claim.status == "in_progress" else "in_progress"),
        lambda claim: setattr(claim, "published_at", claim.published_at.replace(year=2024)),
        lambda claim: setattr(claim, "published_at", None),
        lambda claim: setattr(claim, "statement", "Alpine will sell cars in Canada."),
    ],
    ids=["status", "published-at", "unpublished", "statement"],
)
def test_every_public_field_of_a_published_claim_counts(published, chiara, django_capture_on_commit_callbacks, change):
    claim = published[0]
    with django_capture_on_commit_callbacks() as callbacks:
        change(claim)
        services.save_claim(claim, by=chiara, reason="Change")
    assert len(invalidations(callbacks)) == 1


def draft_like(claim: Claim, chiara) -> Claim:
    copy = Claim.objects.get(pk=claim.pk)
    copy.pk, copy.slug, copy.published_at = None, "", None
    return services.save_claim(copy, by=chiara, reason="A draft")


def test_drafts_count_only_when_published(published, chiara, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        draft = draft_like(published[0], chiara)
        draft.statement = "Nissan will launch a city car in Japan."
        services.save_claim(draft, by=chiara, reason="Wording")
        services.tracked_delete(draft_like(published[1], chiara), by=chiara, reason="Duplicate")
    assert invalidations(callbacks) == []
    with django_capture_on_commit_callbacks() as callbacks:
        services.publish(draft, by=chiara)
    assert len(invalidations(callbacks)) == 1


def test_a_rolled_back_savepoint_takes_its_invalidation_with_it(published, chiara, django_capture_on_commit_callbacks):
    claim = published[0]
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            claim.verdict = "Never mind."
            services.save_claim(claim, by=chiara, reason="Oops")
            raise RuntimeError
        assert not public_cache.has_uncommitted_changes()
        other = published[1]
        other.verdict = "Checked."
        services.save_claim(other, by=chiara, reason="Verdict")
        assert public_cache.has_uncommitted_changes()
    assert len(invalidations(callbacks)) == 1  # the second write scheduled its own
