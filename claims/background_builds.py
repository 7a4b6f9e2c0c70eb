"""Documents built by a worker after public changes, never in a request: the sitemaps, the open data files.

Each is built from every published claim (a minute at a million claims), so changes do
not each queue a build: the first change after a quiet ``seconds`` queues one at once
(``ask``), later ones within that time are picked up by beat's periodic run of the same
task, which builds what is older than the last change, or missing. Two builds never run
at once (``locked``: a lock in the cache, released by its holder only). A claim taken off
the site, or corrected, always queues a build once its transaction commits, however
recent the last one (``after_commit``): its text and address must leave with the claim.
``PUBLIC_REFRESH_IN_BACKGROUND=0`` turns the queueing off (no workers): each has a
command that does the same from cron.

Tasks are queued by name: claims.tasks calls into the packages that build, never the
other way round.
"""

import logging
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from claims import public_cache

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return getattr(settings, "PUBLIC_REFRESH_IN_BACKGROUND", True)


@dataclass(frozen=True)
class BackgroundBuild:
    what: str  # for the log: "the sitemaps"
    task: str  # the Celery task's name
    queued: str  # data keys (claims.public_cache.data_key) of the debounce and the lock
    building: str
    seconds_setting: str  # the setting with the debounce, in seconds
    lock_seconds: int  # longer than any build runs; the task's time limit is below it

    def seconds(self) -> int:
        return getattr(settings, self.seconds_setting)

    def ask(self) -> bool:
        """Queue a build, unless one was queued within the debounce (beat picks up the rest)."""
        if not enabled():
            return False
        queued = public_cache.data_key(self.queued)
        if not cache.add(queued, 1, timeout=self.seconds()):
            return False
        try:
            current_app.signature(self.task).apply_async(retry=False, expires=self.seconds())
        except Exception as exc:  # kombu and redis raise many types for one outage; none may break the writer
            cache.delete(queued)
            logger.warning("Could not queue a build of %s (%s); beat or the next change will.", self.what, exc)
            return False
        return True

    def after_commit(self, *, using=None, first=None) -> None:
        """Once the transaction commits: ``first()`` (if given), then a build queued whatever the debounce."""

        def build_now():
            if first is not None:
                first()
            if enabled():
                cache.delete(public_cache.data_key(self.queued))
                self.ask()

        transaction.on_commit(build_now, using=using, robust=True)

    def locked(self, build):
        """``build()``'s result, run holding the build lock; None when another build holds it."""
        lock, holder = public_cache.data_key(self.building), public_cache.lock_holder()
        if not cache.add(lock, holder, timeout=self.lock_seconds):
            return None
        try:
            return build()
        finally:
            cache.delete_if_equal(lock, holder)
