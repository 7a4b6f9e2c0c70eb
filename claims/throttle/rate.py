"""Per-address limits on requests a minute (the API, search, sitemaps, sign-in): fixed windows counted in Redis.

Each kind of request has a counter and a limit of its own (``KINDS``): what a person
needs differs by kind, and so does what one request costs. An app reading the API may
ask twice a second; a reader does not run a search every two seconds for a minute, a
crawler reads a sitemap a few times a day, and nobody types a password more than a few
times a minute. Counting each against the loosest of these let 32 clients keep the
workers busy with answers that each cost a search or a sitemap (docs/benchmarks.md,
the abuse round).

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

# The kinds of request counted by the minute, each with the setting that holds its limit.
REQUESTS, SEARCH, SITEMAP, DOWNLOAD, SIGN_IN = "", "search", "sitemap", "download", "sign-in"
KINDS = {
    REQUESTS: "PUBLIC_RATE_LIMIT",  # the API, and the feed and calendar when made afresh
    SEARCH: "PUBLIC_SEARCH_RATE_LIMIT",
    SITEMAP: "PUBLIC_SITEMAP_RATE_LIMIT",
    DOWNLOAD: "PUBLIC_DOWNLOAD_RATE_LIMIT",  # the open data files (claims/opendata/)
    SIGN_IN: "SIGN_IN_RATE_LIMIT",
}

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


def limit(kind: str = REQUESTS) -> int:
    """Requests of this kind a minute per address; 0: no limit."""
    return getattr(settings, KINDS[kind])


def retry_after(request, *, allowed: int | None = None, window: int = WINDOW_SECONDS, scope: str = "") -> int | None:
    """Count this request; None if it may go on, else the seconds until its address may ask again.

    By default against the limit a minute of the kind ``scope`` names (``KINDS``);
    ``allowed`` requests per ``window`` seconds in the counter named ``scope`` otherwise
    (0 allowed: no limit).
    """
    allowed = limit(scope) if allowed is None else allowed
    if not allowed:
        return None
    key = PREFIX + (f"{scope}:" if scope else "") + limit_key(client_address(request))
    counted = cache.run_script(_COUNT, [key], [window])
    if counted is None:
        return None  # Redis cannot be reached: fail open
    count, ttl = counted
    return max(int(ttl), 1) if count > allowed else None
