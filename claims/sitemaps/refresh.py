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
``python manage.py build_sitemaps`` then does the same from cron.
"""

import logging

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from simple_history.signals import post_create_historical_record

from claims import public_cache
from claims.models import FeedEntry, historical_claim_model
from claims.sitemaps import store

logger = logging.getLogger(__name__)

BUILD_TASK = "claims.tasks.build_sitemaps"
QUEUED = "sitemap:queued"
BUILDING = "sitemap:building"
# Longer than any build runs (a million claims: about a minute on 2 cores); the task's time limit is below it.
BUILD_LOCK_SECONDS = 900


def enabled() -> bool:
    return getattr(settings, "PUBLIC_REFRESH_IN_BACKGROUND", True)


@public_cache.after_invalidate
def ask_for_build() -> bool:
    """Queue a build, unless one was queued within PUBLIC_SITEMAP_SECONDS (beat picks up the rest)."""
    if not enabled():
        return False
    queued = public_cache.data_key(QUEUED)
    if not cache.add(queued, 1, timeout=settings.PUBLIC_SITEMAP_SECONDS):
        return False
    try:
        # By name: claims.tasks calls into this package, never the other way round.
        current_app.signature(BUILD_TASK).apply_async(retry=False, expires=settings.PUBLIC_SITEMAP_SECONDS)
    except Exception as exc:  # kombu and redis raise many types for one outage; none may break the writer
        cache.delete(queued)
        logger.warning("Could not queue a build of the sitemaps (%s); beat or the next change will.", exc)
        return False
    return True


def _build_after_a_takedown(sender, history_instance, using=None, **kwargs):
    if history_instance.feed_entry != FeedEntry.UNPUBLISHED or not enabled():
        return

    def build_now():
        cache.delete(public_cache.data_key(QUEUED))
        ask_for_build()

    transaction.on_commit(build_now, using=using, robust=True)


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
    lock, holder = public_cache.data_key(BUILDING), public_cache.lock_holder()
    if not cache.add(lock, holder, timeout=BUILD_LOCK_SECONDS):
        return None
    try:
        return store.rebuild(generation)
    finally:
        cache.delete_if_equal(lock, holder)
