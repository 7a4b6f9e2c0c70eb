"""Celery tasks: thin entry points that call functions tests can call directly.

No reminder is ever scheduled as an ETA or countdown task: on Redis those are held by
the worker and redelivered after the visibility timeout, which would send duplicates.
Beat runs sweep_deadlines every REMINDER_SWEEP_SECONDS; the outbox rows decide what is sent.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from claims import public_cache, public_refresh
from claims.opendata import refresh as opendata
from claims.readers import digests as followers
from claims.readers.enqueue import enqueue_sweep as enqueue_followers_sweep
from claims.reminders.enqueue import enqueue_sweep
from claims.reminders.sweep import sweep
from claims.sitemaps import refresh as sitemaps
from claims.webhooks import sender as webhooks
from claims.webhooks.events import ask_for_sending

logger = logging.getLogger(__name__)


# A sweep stops starting digests after half the claim timeout (sweep.time_budget); these
# limits stop one that hangs anyway (a DNS lookup without a timeout) before a later sweep
# could take its rows over while it still holds them. The rows it claimed and did not
# send are taken again by a later sweep once their claim expires.
SOFT_TIME_LIMIT = settings.REMINDER_CLAIM_TIMEOUT_SECONDS * 3 // 4
TIME_LIMIT = settings.REMINDER_CLAIM_TIMEOUT_SECONDS * 9 // 10


@shared_task(
    name="claims.tasks.sweep_deadlines", ignore_result=True, soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT
)
def sweep_deadlines() -> dict:
    try:
        result = sweep()
    except SoftTimeLimitExceeded:
        logger.warning("Reminder sweep stopped after %d s; a later sweep sends what it left.", SOFT_TIME_LIMIT)
        return {}
    logger.info("Reminder sweep: %s", result)
    if result.more_due:
        enqueue_sweep()
    return result.as_dict()


@shared_task(
    name="claims.tasks.refresh_public_data",
    ignore_result=True,
    # Within the lifetime of the ":refreshing" key, so no second task starts on a hung one's work.
    soft_time_limit=public_cache.LOCK_SECONDS - 10,
    time_limit=public_cache.LOCK_SECONDS,
)
def refresh_public_data() -> list[str]:
    computed = public_refresh.refresh()
    logger.info("Public aggregates refreshed: %s", ", ".join(computed) or "none needed")
    return computed


@shared_task(
    name="claims.tasks.build_sitemaps",
    ignore_result=True,
    # Within the build's lock, so no second build starts beside a hung one.
    soft_time_limit=sitemaps.BUILD_LOCK_SECONDS - 60,
    time_limit=sitemaps.BUILD_LOCK_SECONDS - 30,
)
def build_sitemaps() -> dict | None:
    built = sitemaps.build_if_needed()
    logger.info("Sitemaps: %s", f"built {built['pages']}" if built else "current, or another build is running")
    return built


# As the reminder sweep's: the followers' sweep stops starting emails after half its claim
# timeout (readers.digests.time_budget); these stop one that hangs anyway.
FOLLOWERS_SOFT_TIME_LIMIT = settings.FOLLOW_CLAIM_TIMEOUT_SECONDS * 3 // 4
FOLLOWERS_TIME_LIMIT = settings.FOLLOW_CLAIM_TIMEOUT_SECONDS * 9 // 10


@shared_task(
    name="claims.tasks.sweep_followers",
    ignore_result=True,
    soft_time_limit=FOLLOWERS_SOFT_TIME_LIMIT,
    time_limit=FOLLOWERS_TIME_LIMIT,
)
def sweep_followers() -> dict:
    try:
        result = followers.sweep()
    except SoftTimeLimitExceeded:
        logger.warning(
            "Followers' sweep stopped after %d s; a later sweep sends what it left.", FOLLOWERS_SOFT_TIME_LIMIT
        )
        return {}
    logger.info("Followers' sweep: %s", result)
    if result.more_due:
        enqueue_followers_sweep()
    return result.as_dict()


@shared_task(
    name="claims.tasks.build_open_data",
    ignore_result=True,
    # Within the build's lock, so no second build starts beside a hung one.
    soft_time_limit=opendata.BUILD_LOCK_SECONDS - 60,
    time_limit=opendata.BUILD_LOCK_SECONDS - 30,
)
def build_open_data() -> dict | None:
    built = opendata.build_if_needed()
    logger.info("Open data: %s", f"built at {built['built_at']}" if built else "current, or another build is running")
    return built


@shared_task(
    name="claims.tasks.send_webhooks",
    ignore_result=True,
    # Past the sender's own budget by more than one delivery's timeout.
    soft_time_limit=settings.WEBHOOK_SEND_BUDGET_SECONDS + settings.WEBHOOK_TIMEOUT_SECONDS * 2,
    time_limit=settings.WEBHOOK_SEND_BUDGET_SECONDS + settings.WEBHOOK_TIMEOUT_SECONDS * 3,
)
def send_webhooks() -> dict:
    try:
        result = webhooks.sweep()
    except SoftTimeLimitExceeded:
        logger.warning("Webhook sender stopped at its time limit; the next run sends what it left.")
        return {}
    logger.info("Webhooks: %s", result)
    if result.more_due:
        ask_for_sending()
    return result.as_dict()
