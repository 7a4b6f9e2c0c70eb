"""System checks that tell an operator, at start-up, what will not work."""

import redis
from django.conf import settings
from django.core.checks import Warning, register

from factcheck.env import without_password

START_REDIS = "Start it with: redis-server --daemonize yes --port 6379 --save '' --appendonly no"


@register()
def redis_reachable(app_configs, **kwargs):
    """Warn (not fail) when Redis is down: pages still work, reminders and caching do not.

    A warning, not an error, so that an outage does not also stop migrations and the
    commands an operator needs meanwhile; but in production it says, in capitals, that
    Redis is required. In development without Redis (settings.EMBEDDED_SERVICES) there is
    no Redis to reach: Celery and the cache run on files.
    """
    if settings.EMBEDDED_SERVICES:
        return []
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        where = f"REDIS_URL={without_password(settings.REDIS_URL)}"
        if not settings.DEBUG:
            return [
                Warning(
                    f"PRODUCTION REQUIRES REDIS (DEBUG=0), and it cannot be reached at {where} ({exc}).",
                    hint="Until it is back, NO DEADLINE REMINDERS ARE SENT and every page is computed "
                    "for every reader. Fix REDIS_URL or start Redis; running without Redis (files in "
                    "RUN_DIR) is for development only (DEBUG=1).",
                    id="factcheck.W002",
                )
            ]
        return [
            Warning(
                f"Redis cannot be reached at {where} ({exc}).",
                hint="Pages are served uncached and deadline reminders are not sent until Redis is "
                f"back. {START_REDIS}. Or unset REDIS_URL: with DEBUG=1 and nothing on 127.0.0.1:6379, "
                "Celery and the cache run on files in RUN_DIR.",
                id="factcheck.W001",
            )
        ]
    return []
