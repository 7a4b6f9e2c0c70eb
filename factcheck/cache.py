"""A Redis cache that fails open.

Django's RedisCache raises when Redis is unreachable, which would turn a cache outage
into a site outage. Public pages and the admin must keep answering (uncached) while
Redis is down, so every cache call that cannot reach Redis logs and acts as a miss.
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

_UNREACHABLE = (ConnectionError, TimeoutError, OSError)


class FailOpenRedisCache(RedisCache):
    def _fail_open(method_name, fallback):  # noqa: N805 - a class-body helper, not a method
        parent = getattr(RedisCache, method_name)

        def method(self, *args, **kwargs):
            try:
                return parent(self, *args, **kwargs)
            except _UNREACHABLE as exc:
                logger.warning("Redis cache unreachable during %s: %s", method_name, exc)
                return fallback(*args, **kwargs) if callable(fallback) else fallback

        method.__name__ = method_name
        return method

    get = _fail_open("get", lambda key, default=None, version=None: default)
    get_many = _fail_open("get_many", {})
    set = _fail_open("set", None)
    set_many = _fail_open("set_many", [])
    add = _fail_open("add", False)
    touch = _fail_open("touch", False)
    delete = _fail_open("delete", False)
    delete_many = _fail_open("delete_many", None)
    has_key = _fail_open("has_key", False)
    incr = _fail_open("incr", None)
    clear = _fail_open("clear", False)
    del _fail_open
