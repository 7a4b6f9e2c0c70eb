"""A per-address limit on requests a minute (search and the API): a fixed window counted in Redis.

Other limits count in windows and counters of their own (``scope``): the readers' forms
allow a few tips and follow requests an hour per address (claims.readers.views).

Each address has a counter that starts with its first request and lives ``WINDOW_SECONDS``;
past ``PUBLIC_RATE_LIMIT`` requests in it, the answer is 429 until it expires, and
``Retry-After`` says when that is. A fixed window lets an address send up to twice the
limit across a window's edge; that is enough to stop one address from taking a worker's
time, which is what this is for.

Written here rather than with django-ratelimit: its counter is ``cache.add`` then
``cache.incr``, two Redis round trips on every request after a window's first, and
this runs on the API's cached responses, where one round trip is a tenth of the request's
cost (docs/benchmarks.md). One Lua script does it in one. Fails open like the cap.
"""

from django.conf import settings
from django.core.cache import cache

from claims.throttle.address import client_address, limit_key

WINDOW_SECONDS = 60
PREFIX = "public:throttle:rate:"  # under the public prefix, as slots.KEY

_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


def limit() -> int:
    """Requests a minute per address; 0: no limit."""
    return settings.PUBLIC_RATE_LIMIT


def retry_after(request, *, allowed: int | None = None, window: int = WINDOW_SECONDS, scope: str = "") -> int | None:
    """Count this request; None if it may go on, else the seconds until its address may ask again.

    By default against PUBLIC_RATE_LIMIT a minute; ``allowed`` requests per ``window``
    seconds in the counter named ``scope`` otherwise (0 allowed: no limit).
    """
    allowed = limit() if allowed is None else allowed
    if not allowed:
        return None
    key = PREFIX + (f"{scope}:" if scope else "") + limit_key(client_address(request))
    counted = cache.run_script(_COUNT, [key], [window])
    if counted is None:
        return None  # Redis cannot be reached: fail open
    count, ttl = counted
    return max(int(ttl), 1) if count > allowed else None
