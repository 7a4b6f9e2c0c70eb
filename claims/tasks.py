"""Celery tasks: thin entry points that call functions tests can call directly.

No reminder is ever scheduled as an ETA or countdown task: on Redis those are held by
the worker and redelivered after the visibility timeout, which would send duplicates.
Beat runs sweep_deadlines every REMINDER_SWEEP_SECONDS; the outbox rows decide what is sent.
"""

import logging

from celery import shared_task

from claims.reminders.enqueue import enqueue_sweep
from claims.reminders.sweep import sweep

logger = logging.getLogger(__name__)


@shared_task(name="claims.tasks.sweep_deadlines", ignore_result=True)
def sweep_deadlines() -> dict:
    result = sweep()
    logger.info("Reminder sweep: %s", result)
    if result.more_due:
        enqueue_sweep()
    return result.as_dict()
