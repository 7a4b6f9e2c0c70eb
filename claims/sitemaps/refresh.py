"""When the sitemaps are built: by a worker after a change (at most once per PUBLIC_SITEMAP_SECONDS), and by beat.

As claims.public_refresh does for the site's track record, a public change queues a
task (``ask_for_build``) that no request waits for. A build at a million claims reads
every published claim, so changes do not each queue one: the first change after a quiet
``PUBLIC_SITEMAP_SECONDS`` queues it at once, later ones within that time are picked up
by beat's periodic run, which rebuilds what is older than the last change, or missing.
Two builds never run at once (a lock in Redis, released by its holder only). A claim
taken off the site (claims.history's UNPUBLISHED event) always queues a build once its
transaction commits, however recent the last one: its address must leave the sitemaps
with the claim, not minutes later.
``PUBLIC_REFRESH_IN_BACKGROUND=0`` turns the queueing off (no workers):
``python manage.py build_sitemaps`` then does the same from cron. The debounce, the
queueing and the build lock are claims.background_builds'.
"""

from simple_history.signals import post_create_historical_record

from claims import public_cache
from claims.background_builds import BackgroundBuild, enabled  # noqa: F401 - enabled: as callers know it
from claims.models import FeedEntry, historical_claim_model
from claims.sitemaps import store

BUILD_TASK = "claims.tasks.build_sitemaps"
QUEUED = "sitemap:queued"
BUILDING = "sitemap:building"
# Longer than any build runs (a million claims: about a minute on 2 cores); the task's time limit is below it.
BUILD_LOCK_SECONDS = 900
BUILD = BackgroundBuild("the sitemaps", BUILD_TASK, QUEUED, BUILDING, "PUBLIC_SITEMAP_SECONDS", BUILD_LOCK_SECONDS)


@public_cache.after_invalidate
def ask_for_build() -> bool:
    """Queue a build, unless one was queued within PUBLIC_SITEMAP_SECONDS (beat picks up the rest)."""
    return BUILD.ask()


def _build_after_a_takedown(sender, history_instance, using=None, **kwargs):
    if history_instance.feed_entry == FeedEntry.UNPUBLISHED:
        BUILD.after_commit(using=using)


post_create_historical_record.connect(
    _build_after_a_takedown, sender=historical_claim_model(), dispatch_uid="sitemaps-build-after-takedown"
)


def build_if_needed(*, force: bool = False) -> dict | None:
    """Build the sitemaps if they are missing or older than the last public change; the manifest built, else None.

    Current ones have their lifetime renewed. None also when Redis cannot be reached (nothing
    could be stored) or when another build is running.
    """
    generation = public_cache.current_generation()
    if generation is None:
        return None
    current = store.manifest()
    if current is not None and current["generation"] == generation and not force:
        store.renew(current)
        return None
    return BUILD.locked(lambda: store.rebuild(generation))
