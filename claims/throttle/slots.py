"""A cap on expensive requests running at once across the deployment: a semaphore in Redis.

The holders are a sorted set in Redis, each scored with the time its hold ends. Taking a
slot is one Lua script (one round trip): drop the holds that ended, count the others,
and add this request's if there are fewer than the cap. Giving it back (in ``finally``)
removes it. A worker killed in the middle of a request (gunicorn's timeout, an OOM kill)
never gives its slot back, so every hold ends by itself after ``HOLD_SECONDS``; the
clock is Redis's own (``TIME``), so web servers whose clocks disagree still agree on it.

When Redis cannot be reached, every request is let through (fail open, through the
cache's circuit breaker): the cap then does nothing, as the page cache does nothing.
"""

import secrets

from django.conf import settings
from django.core.cache import cache

# Under the public prefix: public_cache.clear() (and so every test's teardown) empties it with the rest.
KEY = "public:throttle:expensive"
# Sign-in POSTs (a password hash each) have a pool of their own, of the same size, so that
# readers' expensive pages cannot keep editors from signing in. The reverse does not hold:
# a sign-in in progress counts against the expensive pool too (``YIELDS_TO``), so that
# searches and password hashes together never hold more workers than the cap. With two
# workers and a cap of one, a search on one worker and a hash on the other left readers
# no worker at all, for seconds, while guessers were being locked out (docs/benchmarks.md).
SIGN_IN = "public:throttle:sign-in"
# Pools whose holders count against another pool's cap as well as their own.
YIELDS_TO = {KEY: (SIGN_IN,)}
# Longer than any request runs: gunicorn kills a worker after its timeout (30 s by default).
HOLD_SECONDS = 60

_TAKE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local held = 0
for _, pool in ipairs(KEYS) do
    redis.call('ZREMRANGEBYSCORE', pool, '-inf', now)
    held = held + redis.call('ZCARD', pool)
end
if held >= tonumber(ARGV[1]) then
    return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""
_GIVE_BACK = "return redis.call('ZREM', KEYS[1], ARGV[1])"

# What take() answers when Redis cannot be reached: go ahead, holding nothing.
UNBOUNDED = ""


def capacity() -> int:
    """How many expensive requests may run at once; 0: no cap."""
    return settings.PUBLIC_EXPENSIVE_CONCURRENCY


def take(pool: str = KEY) -> str | None:
    """A slot's holder id, UNBOUNDED when there is no cap or Redis cannot be reached, None when all are taken."""
    limit = capacity()
    if not limit:
        return UNBOUNDED
    holder = secrets.token_hex(8)
    pools = [pool, *YIELDS_TO.get(pool, ())]  # the pool the slot is taken from first
    taken = cache.run_script(_TAKE, pools, [limit, holder, HOLD_SECONDS * 1000])
    if taken is None:
        return UNBOUNDED
    return holder if taken else None


def give_back(holder: str, pool: str = KEY) -> None:
    if holder:
        cache.run_script(_GIVE_BACK, [pool], [holder])


def held(pool: str = KEY) -> int:
    """How many slots are held now (holds that ended included until the next take); for tests and operators."""
    client = cache._cache.get_client(write=False)
    return client.zcard(cache.make_key(pool))
