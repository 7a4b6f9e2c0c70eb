"""Shared public data recomputed by a worker after a change, so that no reader waits for it.

``public_cache.remember`` lets one request recompute an aggregate after a change while
the others keep the previous value. For most aggregates that is enough. The site's
track record is different: at a million claims its chart query takes seconds, and the
reader who happens to come first after an editor's save would wait that long, after
every save. So the aggregates registered here with ``keep_fresh`` are recomputed by a
Celery task instead:

1. When the public generation moves on (``public_cache.invalidate``, after a commit), the
   readers' lock of each registered aggregate is taken on their behalf, for at most
   ``WAIT_SECONDS``, and a ``refresh_public_data`` task is queued. Readers meanwhile get
   the previous value (and the page built from it is not cached).
2. The task computes each aggregate that is not current, stores it under the generation
   it was computed for, and releases the readers' lock if no newer change came in the
   meantime; if one did, it goes round again. Two tasks at once are harmless: a
   per-aggregate ``:refreshing`` key lets one compute while the other moves on.

Beat also queues the task every ``PUBLIC_REFRESH_SECONDS`` (settings): it recomputes what
midnight made stale (the newsroom's day is part of what makes an entry current) and
renews the lifetime of current entries, so that they do not expire between changes.

Should no worker run, or the queue be slow, the readers' lock expires after
``WAIT_SECONDS`` and the next reader computes in the foreground, as without this module.
If queueing fails (Redis down), the lock is released at once for the same reason.
``PUBLIC_REFRESH_IN_BACKGROUND=0`` turns the whole mechanism off (a deployment without
workers).
"""

import logging
import time
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.core.cache import cache

from claims import public_cache

logger = logging.getLogger(__name__)

REFRESH_TASK = "claims.tasks.refresh_public_data"

# How long readers keep the previous value while waiting for a worker to compute the new one.
WAIT_SECONDS = 60
# Lifetime of a registered aggregate's entry: longer than remember()'s default, since a
# worker renews it after every change and a missing entry costs the next reader seconds.
KEEP_SECONDS = 3600
# How long one task keeps going round while changes keep coming in as it computes.
ROUNDS_SECONDS = 60

_kept: dict[str, Callable] = {}


def keep_fresh(name: str, compute: Callable) -> None:
    """Have ``remember(name, ...)``'s value recomputed by a worker after each change."""
    _kept[name] = compute


def enabled() -> bool:
    return bool(_kept) and getattr(settings, "PUBLIC_REFRESH_IN_BACKGROUND", True)


def _reader_lock(name: str) -> str:
    return public_cache.lock_key(name)


def _refreshing(name: str) -> str:
    return f"{public_cache.data_key(name)}:refreshing"


@public_cache.after_invalidate
def ask_for_refresh() -> bool:
    """Hold readers on the previous values and queue a task to compute the new ones."""
    if not enabled():
        return False
    locks = [_reader_lock(name) for name in _kept]
    cache.set_many(dict.fromkeys(locks, "background"), timeout=WAIT_SECONDS)
    try:
        # By name: claims.tasks calls into this module, never the other way round.
        current_app.signature(REFRESH_TASK).apply_async(retry=False, expires=WAIT_SECONDS)
    except Exception as exc:  # kombu and redis raise many types for one outage; none may break the writer
        cache.delete_many(locks)  # nobody will compute them: the next reader does
        logger.warning("Could not queue a refresh of the public aggregates (%s); readers will compute them.", exc)
        return False
    return True


def refresh() -> list[str]:
    """Compute every registered aggregate that is not current; return the names computed.

    Safe to run twice at once, and after any number of changes: it works from the
    generation it reads, not from what the task was queued for, and goes round again
    while changes keep coming (for at most ``ROUNDS_SECONDS``; the next change or the
    periodic run from beat picks up after that). Current entries have their lifetime
    renewed, so that beat's periodic run keeps them from expiring between changes.
    """
    computed = []
    if not enabled():
        return computed
    started = time.monotonic()
    while time.monotonic() - started < ROUNDS_SECONDS:
        stamp = public_cache.data_stamp(public_cache.current_generation())
        if stamp is None:
            return computed  # Redis unreachable: nothing could be stored or read anyway
        stale = [name for name in _kept if not public_cache.is_current(name, stamp)]
        for name in _kept:
            if name not in stale:
                cache.touch(public_cache.data_key(name), KEEP_SECONDS)
        if not stale:
            return computed
        computed_now = []
        for name in stale:
            holder = public_cache.lock_holder()
            if not cache.add(_refreshing(name), holder, timeout=public_cache.LOCK_SECONDS):
                continue  # another task is computing it, and goes round again if it changes
            try:
                public_cache.store(name, stamp, _kept[name](), timeout=KEEP_SECONDS)
                computed_now.append(name)
            finally:
                cache.delete_if_equal(_refreshing(name), holder)  # not another task's, should this one's expire
            if public_cache.data_stamp(public_cache.current_generation()) == stamp:
                # No newer change: readers may take the value (they check its stamp).
                # After a newer change its writer took the lock again; the next round computes.
                cache.delete(_reader_lock(name))
        if not computed_now:
            return computed  # what is stale is in other tasks' hands
        computed += computed_now
    return computed
