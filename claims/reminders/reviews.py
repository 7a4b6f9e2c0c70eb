"""Reviews waiting too long (REVIEW_REMIND_HOURS), listed in the chief editors' reminder digests.

A sweep claims the reviews that have waited longer than REVIEW_REMIND_HOURS and were not
listed in the last REVIEW_REMIND_HOURS, with one conditional UPDATE that stamps them
(``reminded_at``) and marks them with the sweep's token, as the sweep claims reminder
rows: two sweeps at once never both list one review, and a sweep a minute later finds
nothing to list. Each chief editor gets them in their digest of this sweep, or in a
digest of their own when no claim of theirs is due; a review is never listed to the
chief who asked for it (they cannot approve it). If no chief could be sent the list
(SMTP down), the reviews are released for the next sweep: at least once, like the rest.
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from claims.models import Review

# Reviews one sweep lists at most; the rest wait for the next one.
BATCH = 200


def _waiting_since(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(hours=settings.REVIEW_REMIND_HOURS)


def chief_editors() -> list:
    """Active accounts with an email address that may approve reviews (the publish permission)."""
    publish = Permission.objects.filter(content_type__app_label="claims", codename="publish_claim")
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    chiefs = users.filter(Q(is_superuser=True) | Q(groups__permissions__in=publish) | Q(user_permissions__in=publish))
    return list(chiefs.distinct().order_by("pk"))


class WaitingReviews:
    """The reviews one sweep claimed for listing, and which chief editors it told."""

    def __init__(self, now: datetime.datetime):
        self.now = now
        self.token = uuid.uuid4().hex
        since = _waiting_since(now)
        due = Review.objects.filter(state=Review.State.PENDING, created_at__lte=since).filter(
            Q(reminded_at__isnull=True) | Q(reminded_at__lte=since)
        )
        candidates = list(due.order_by("created_at", "id").values_list("pk", flat=True)[:BATCH])
        self.reviews = []
        if candidates:
            due.filter(pk__in=candidates).update(reminded_at=now, remind_token=self.token)
            won = Review.objects.filter(pk__in=candidates, remind_token=self.token)
            self.reviews = list(won.select_related("claim", "submitter").order_by("created_at", "id"))
        self.chiefs = {user.pk: user for user in chief_editors()} if self.reviews else {}
        self.told: set[int] = set()
        self.attempted: set[int] = set()

    def lines_for(self, recipient) -> list[dict]:
        """What a digest to ``recipient`` lists of the reviews: none unless a chief editor, never their own."""
        if recipient.pk not in self.chiefs:
            return []
        return [_line(review, self.now) for review in self.reviews if review.submitter_id != recipient.pk]

    def sent(self, recipient, ok: bool) -> None:
        self.attempted.add(recipient.pk)
        if ok:
            self.told.add(recipient.pk)

    def untold(self) -> list:
        """Chief editors with reviews to hear of whom no digest of this sweep was sent to yet."""
        return [user for pk, user in self.chiefs.items() if pk not in self.attempted and self.lines_for(user)]

    def finish(self) -> None:
        """Nobody could be told: release the reviews for the next sweep."""
        if self.reviews and not self.told:
            Review.objects.filter(remind_token=self.token).update(reminded_at=None, remind_token="")


def _line(review: Review, now: datetime.datetime) -> dict:
    hours = int((now - review.created_at).total_seconds() // 3600)
    return {
        "claim": str(review.claim),
        "submitter": review.submitter.get_full_name() or review.submitter.get_username(),
        "reason": review.reason,
        "waiting": f"{hours} hours" if hours < 48 else f"{hours // 24} days",
        "url": settings.SITE_URL + reverse("admin:claims_review_change", args=[review.pk]),
    }


def none_waiting(now: datetime.datetime | None = None) -> "WaitingReviews":
    """An empty list, for callers of deliver() that list no reviews."""
    waiting = WaitingReviews.__new__(WaitingReviews)
    waiting.now, waiting.token, waiting.reviews = now or timezone.now(), "", []
    waiting.chiefs, waiting.told, waiting.attempted = {}, set(), set()
    return waiting
