"""Bounds on public work, so that no request, however many come at once, can starve the site.

The page cache makes most public requests cheap, but some addresses do real work on
every request that misses it (a search, a deep or filtered page of a list, the feed and
calendar after a change, a sign-in's password hash), and anyone can make them miss it.
With a fixed number of web workers, a few dozen such requests in parallel used to hold
every worker, and readers of cached pages (even ``/healthz``) waited seconds in the queue.

- ``slots``: a cap on how many expensive requests run at once across the deployment
  (``PUBLIC_EXPENSIVE_CONCURRENCY``), shared through Redis; past it, an immediate 503
  with ``Retry-After``. Decided from the request before any work; cached hits never take
  a slot.
- ``rate``: per-address limits a minute, one per kind of request (the API, searches,
  sitemaps, sign-in POSTs: ``PUBLIC_RATE_LIMIT``, ``PUBLIC_SEARCH_RATE_LIMIT``,
  ``PUBLIC_SITEMAP_RATE_LIMIT``, ``SIGN_IN_RATE_LIMIT``), 429 with ``Retry-After``.
- ``address``: who the client is (``REMOTE_ADDR``, or X-Forwarded-For from ``TRUSTED_PROXIES``).
- ``guard``: the view wrappers and the sign-in middleware that apply them.

Both limits fail open: when Redis cannot be reached (the cache's circuit breaker,
factcheck.cache), requests go through unbounded, as pages go uncached. An outage of the
cache must not become an outage of the site; the page cache being off at the same time
is the price.
"""
