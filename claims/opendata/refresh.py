"""When the open data files are built: by a worker after a public change, and by beat; as the sitemaps are.

A public change (``public_cache.after_invalidate``) queues ``claims.tasks.build_open_data``
at once, unless one was queued within OPEN_DATA_SECONDS: later changes in that time are
picked up by beat's run every OPEN_DATA_SECONDS, which builds when the files are
missing, older than the last change, or of an earlier day (``is_overdue``). A claim
taken off the site queues a build once its transaction commits, however recent the last
one: it must leave the files promptly. Until that build is in, the files are withdrawn
(the manifest is dropped, so they answer 503 with Retry-After): a name taken off the site,
or wording corrected, is never served from a file built before (issue 12's rule for
every public copy). The same holds for a correction.
Two builds never run at once (a lock in the cache, released by its holder only); each
is safe to run again. ``PUBLIC_REFRESH_IN_BACKGROUND=0`` turns the queueing off:
``python manage.py export_claims --build`` then does the same from cron.
"""

import logging

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from simple_history.signals import post_create_historical_record

from claims import public_cache
from claims.models import FeedEntry, historical_claim_model
from claims.opendata import store

logger = logging.getLogger(__name__)

BUILD_TASK = "claims.tasks.build_open_data"
QUEUED = "opendata:queued"
BUILDING = "opendata:building"
# Longer than any build runs; the task's time limit is below it.
BUILD_LOCK_SECONDS = 900


def enabled() -> bool:
    return getattr(settings, "PUBLIC_REFRESH_IN_BACKGROUND", True)


@public_cache.after_invalidate
def ask_for_build() -> bool:
    """Queue a build, unless one was queued within OPEN_DATA_SECONDS (beat picks up the rest)."""
    if not enabled():
        return False
    queued = public_cache.data_key(QUEUED)
    if not cache.add(queued, 1, timeout=settings.OPEN_DATA_SECONDS):
        return False
    try:
        # By name: claims.tasks calls into this package, never the other way round.
        current_app.signature(BUILD_TASK).apply_async(retry=False, expires=settings.OPEN_DATA_SECONDS)
    except Exception as exc:  # kombu and redis raise many types for one outage; none may break the writer
        cache.delete(queued)
        logger.warning("Could not queue a build of the open data (%s); beat or the next change will.", exc)
        return False
    return True


# History marks after which the files built before hold text the site no longer shows.
WITHDRAWN_BY = frozenset({FeedEntry.UNPUBLISHED, FeedEntry.CORRECTION})


def _build_after_a_takedown(sender, history_instance, using=None, **kwargs):
    if history_instance.feed_entry not in WITHDRAWN_BY:
        return

    def build_now():
        store.withdraw()
        if enabled():
            cache.delete(public_cache.data_key(QUEUED))
            ask_for_build()

    transaction.on_commit(build_now, using=using, robust=True)


post_create_historical_record.connect(
    _build_after_a_takedown, sender=historical_claim_model(), dispatch_uid="opendata-build-after-takedown"
)


def build_if_needed(*, force: bool = False) -> dict | None:
    """Build the files if missing or older than the last public change; the manifest built, else None.

    None also when the cache cannot be reached (no manifest could be kept) or another build is running.
    """
    generation = public_cache.current_generation()
    if generation is None:
        return None
    current = store.manifest()
    # "is_overdue" moves with the calendar: a new day builds again, change or not.
    if current is not None and (current["generation"], current.get("day")) == (generation, store.today()) and not force:
        return None
    lock, holder = public_cache.data_key(BUILDING), public_cache.lock_holder()
    if not cache.add(lock, holder, timeout=BUILD_LOCK_SECONDS):
        return None
    try:
        return store.rebuild(generation)
    finally:
        cache.delete_if_equal(lock, holder)
