"""A Redis cache that fails open, and stops asking a Redis that does not answer.

Django's RedisCache raises when Redis is unreachable, which would turn a cache outage
into a site outage. Public pages and the admin must keep answering (uncached) while
Redis is down, so every cache call that cannot reach Redis logs and acts as a miss.

A Redis that accepts connections but never answers is worse than one that is down:
each call waits for the socket timeout, and a page makes a dozen calls. So after one
call fails, this process skips Redis altogether for ``REDIS_COOL_DOWN_SECONDS``
(default 5) and then tries again: a circuit breaker. Its state is per process and per
server address; no process needs to agree with another about it.

Writes made while Redis could not be reached may have left cached entries that are no
longer true. Code that needs to act on that registers a recovery hook
(``on_recovery``): it runs once, before the first call that reaches Redis again.
"""

import logging
import threading
import time
from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

_UNREACHABLE = (ConnectionError, TimeoutError, OSError)
_DELETE_IF_EQUAL = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
DEFAULT_COOL_DOWN_SECONDS = 5.0


def cool_down_seconds() -> float:
    return getattr(settings, "REDIS_COOL_DOWN_SECONDS", DEFAULT_COOL_DOWN_SECONDS)


class Breaker:
    """Health of one Redis address as this process last saw it."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down_until = 0.0  # wall-clock seconds: time-machine can move it in tests
        self.outage_seen = False

    def is_open(self) -> bool:
        """True while Redis is to be skipped."""
        now = time.time()
        # A clock set back must not keep Redis switched off for longer than one cool-down.
        return now < self.down_until and self.down_until - now <= cool_down_seconds()

    def trip(self) -> None:
        with self._lock:
            self.down_until = time.time() + cool_down_seconds()
            self.outage_seen = True

    def take_recovery(self) -> bool:
        """True once after an outage, for the caller that is to run the recovery hooks."""
        with self._lock:
            seen, self.outage_seen = self.outage_seen, False
            return seen


_breakers: dict[tuple, Breaker] = {}
_breakers_lock = threading.Lock()
_recovery_hooks: list[Callable[[], None]] = []


def breaker_for(servers) -> Breaker:
    key = tuple(servers) if isinstance(servers, list | tuple) else (servers,)
    breaker = _breakers.get(key)
    if breaker is None:
        with _breakers_lock:
            breaker = _breakers.setdefault(key, Breaker())
    return breaker


def on_recovery(hook: Callable[[], None]) -> Callable[[], None]:
    """Run ``hook()`` whenever this process reaches Redis again after failing to; usable as a decorator."""
    if hook not in _recovery_hooks:
        _recovery_hooks.append(hook)
    return hook


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool.

    Django builds a new ``redis.Redis`` for every cache call, and building one fills its
    table of about 500 response callbacks: a tenth of a millisecond, which on a page that
    makes three cache calls was more than the calls themselves. A ``redis.Redis`` takes a
    connection from its pool for each command, so one object serves every call of the
    cache object that owns it (Django makes one cache object per thread).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # Pools are kept for the life of this object, so their ids are never reused.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    @cached_property
    def breaker(self) -> Breaker:
        # Django makes one cache object per thread; the breaker is shared by the whole process.
        return breaker_for(self._servers)

    def is_reachable(self) -> bool:
        """False while this process skips Redis after a failure."""
        return not self.breaker.is_open()

    def _run_recovery_hooks(self) -> None:
        for hook in _recovery_hooks:
            hook()  # hooks use the cache themselves; a failure there trips the breaker again

    def delete_matching(self, pattern: str, version=None) -> int:
        """Delete the keys of this cache (its prefix and version) matching the glob ``pattern``; how many.

        Not failing open: a caller that empties the cache must learn that it could not.
        """
        client = self._cache.get_client(write=True)
        deleted = 0
        for key in client.scan_iter(match=self.make_key(pattern, version=version), count=500):
            deleted += client.delete(key)
        return deleted

    def _delete_if_equal(self, key, value, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        client = self._cache.get_client(key, write=True)
        # The value as the client stores it (integers as they are, anything else pickled).
        return bool(client.eval(_DELETE_IF_EQUAL, 1, key, self._cache._serializer.dumps(value)))

    def _run_script(self, script: str, keys, args, *, fallback=None):
        # Keys take the cache's prefix and version; arguments go to Redis as they are (numbers, text).
        client = self._cache.get_client(write=True)
        scripts = self.__dict__.setdefault("_scripts", {})
        registered = scripts.get(script)
        if registered is None:
            # redis-py sends EVALSHA, and the script's text only when the server does not know it yet.
            registered = scripts[script] = client.register_script(script)
        return registered(keys=[self.make_and_validate_key(key) for key in keys], args=list(args), client=client)

    def _fail_open(method_name, fallback, parent=None):  # noqa: N805 - a class-body helper, not a method
        parent = parent or getattr(RedisCache, method_name)

        def answer_instead(args, kwargs):
            return fallback(*args, **kwargs) if callable(fallback) else fallback

        def method(self, *args, **kwargs):
            breaker = self.breaker
            if breaker.is_open():
                return answer_instead(args, kwargs)
            if breaker.outage_seen and breaker.take_recovery():
                self._run_recovery_hooks()
                if breaker.is_open():
                    return answer_instead(args, kwargs)
            try:
                return parent(self, *args, **kwargs)
            except _UNREACHABLE as exc:
                breaker.trip()
                logger.warning(
                    "Redis cache unreachable during %s, skipped for %ss: %s", method_name, cool_down_seconds(), exc
                )
                return answer_instead(args, kwargs)

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
    # Delete a key only while it still holds the given value, in one step: how the holder of a
    # lock releases it without deleting a lock that expired and was taken by someone else since.
    delete_if_equal = _fail_open("delete_if_equal", False, _delete_if_equal)
    # A Lua script over keys of this cache, in one round trip; ``fallback`` (default None) when
    # Redis cannot be reached: how the deployment-wide limits of claims.throttle fail open.
    run_script = _fail_open("run_script", lambda script, keys, args, *, fallback=None: fallback, _run_script)
    del _fail_open, _delete_if_equal, _run_script
