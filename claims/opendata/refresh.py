"""When the open data files are built: by a worker after a public change, and by beat; as the sitemaps are.

A public change (``public_cache.after_invalidate``) queues ``claims.tasks.build_open_data``
at once, unless one was queued within OPEN_DATA_SECONDS: later changes in that time are
picked up by beat's run every OPEN_DATA_SECONDS, which builds when the files are
missing, older than the last change, or of an earlier day (``is_overdue``). A claim
taken off the site, or corrected, queues a build once its transaction commits, however
recent the last one, and until that build is in the files are withdrawn (the manifest
is dropped, so they answer 503 with Retry-After): a name taken off the site, or wording
corrected, is never served from a file built before, as from no other public copy.
``PUBLIC_REFRESH_IN_BACKGROUND=0`` turns the queueing off: ``python manage.py
export_claims --build`` then does the same from cron. The debounce, the queueing and the
build lock are claims.background_builds'.
"""

from simple_history.signals import post_create_historical_record

from claims import public_cache
from claims.background_builds import BackgroundBuild, enabled  # noqa: F401 - enabled: as callers know it
from claims.models import FeedEntry, historical_claim_model
from claims.opendata import store

BUILD_TASK = "claims.tasks.build_open_data"
QUEUED = "opendata:queued"
BUILDING = "opendata:building"
# Longer than any build runs; the task's time limit is below it.
BUILD_LOCK_SECONDS = 900
BUILD = BackgroundBuild("the open data", BUILD_TASK, QUEUED, BUILDING, "OPEN_DATA_SECONDS", BUILD_LOCK_SECONDS)
# History marks after which the files built before hold text the site no longer shows.
WITHDRAWN_BY = frozenset({FeedEntry.UNPUBLISHED, FeedEntry.CORRECTION})


@public_cache.after_invalidate
def ask_for_build() -> bool:
    """Queue a build, unless one was queued within OPEN_DATA_SECONDS (beat picks up the rest)."""
    return BUILD.ask()


def _build_after_a_takedown(sender, history_instance, using=None, **kwargs):
    if history_instance.feed_entry in WITHDRAWN_BY:
        BUILD.after_commit(using=using, first=store.withdraw)


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
    return BUILD.locked(lambda: store.rebuild(generation))
