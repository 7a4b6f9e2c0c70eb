"""Asking a worker for a sweep now, without ever making a web request wait on Redis."""

import logging

from celery import current_app
from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)

SWEEP_TASK = "claims.tasks.sweep_deadlines"


def enqueue_sweep() -> bool:
    """Queue one sweep; return whether the broker took it.

    Called through transaction.on_commit after a save that made a reminder due, and by a
    sweep that left work for the next one. The outbox rows are already committed, so a
    lost message loses nothing: the next beat sweep sends them. That is why a broker
    failure is logged and swallowed here, and why publishing is not retried: with Redis
    down, the broker timeouts in settings (REDIS_TIMEOUT) bound the wait to seconds.
    """
    try:
        # By name: claims.tasks calls into this package, never the other way round.
        # A request older than one beat interval is moot: beat's own sweep has run since.
        current_app.signature(SWEEP_TASK).apply_async(retry=False, expires=settings.REMINDER_SWEEP_SECONDS)
    except Exception as exc:  # kombu and redis raise many types for one outage; none may break the caller
        logger.warning("Could not queue a reminder sweep (%s); the next scheduled sweep will send what is due.", exc)
        return False
    return True


def enqueue_sweep_on_commit() -> None:
    """Queue one sweep when the current transaction commits, however many saves ask for it.

    One sweep sends everything due, so a transaction that saves many claims (load_demo,
    an intake keeping its drafts) needs one, not one per claim. Django keeps the pending
    callbacks in connection.run_on_commit and drops those of a rolled-back savepoint, so
    looking there (rather than keeping a flag of our own) stays right after a rollback.
    The list is scanned from its start, where the first registration sits.
    """
    if connection.in_atomic_block and any(
        entry[1] is enqueue_sweep for entry in getattr(connection, "run_on_commit", ())
    ):
        return
    transaction.on_commit(enqueue_sweep)
