"""System checks that tell an operator, at start-up, what will not work."""

import redis
from django.conf import settings
from django.core.checks import Warning, register

from factcheck.env import without_password


@register()
def redis_reachable(app_configs, **kwargs):
    """Warn (not fail) when Redis is down: pages still work, reminders and caching do not."""
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except (redis.exceptions.RedisError, OSError) as exc:
        return [
            Warning(
                f"Redis cannot be reached at REDIS_URL={without_password(settings.REDIS_URL)} ({exc}).",
                hint="Pages are served uncached and deadline reminders are not sent until Redis is "
                "back. Start it with: redis-server --daemonize yes --port 6379 --save '' --appendonly no",
                id="factcheck.W001",
            )
        ]
    return []
