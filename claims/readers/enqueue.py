"""Asking a worker for a followers' sweep now, without ever making a web request wait on Redis.

As claims.reminders.enqueue: the outbox rows are committed before the sweep is asked
for, so a lost message loses nothing (beat's next sweep sends them); a broker failure is
logged and swallowed, and a request older than one beat interval expires.
"""

import logging

from celery import current_app
from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)

SWEEP_TASK = "claims.tasks.sweep_followers"


def enqueue_sweep() -> bool:
    """Queue one followers' sweep; return whether the broker took it."""
    try:
        # By name: claims.tasks calls into this package, never the other way round.
        current_app.signature(SWEEP_TASK).apply_async(retry=False, expires=settings.FOLLOW_DIGEST_SECONDS)
    except Exception as exc:  # kombu and redis raise many types for one outage; none may break the caller
        logger.warning("Could not queue a followers' sweep (%s); the next scheduled sweep will send it.", exc)
        return False
    return True


def enqueue_sweep_on_commit() -> None:
    """Queue one sweep when the current transaction commits, however many writes ask for it."""
    if connection.in_atomic_block and any(
        entry[1] is enqueue_sweep for entry in getattr(connection, "run_on_commit", ())
    ):
        return
    transaction.on_commit(enqueue_sweep)
