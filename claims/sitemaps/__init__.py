"""sitemap.xml: the public pages, every published claim and every claimant with one, built by a worker.

A sitemap lists every published claim: at a million claims, 1.2 s of queries and
rendering for a page of 10,000 addresses, 2 s for the claimants; and a made-up query
parameter got past the page cache, so a few clients could keep both web workers busy.
Sitemaps are therefore never computed in a request:

- ``build`` writes every document (the index, and each section in pages of
  ``PAGE_SIZE`` addresses) from a few streaming queries, as XML text, and ``store`` keeps
  them in Redis, gzipped, with their ETag, under the generation they were built at.
- ``refresh``: after a public change (``public_cache.after_invalidate``) a
  ``claims.tasks.build_sitemaps`` task is queued, at most once per ``PUBLIC_SITEMAP_SECONDS``;
  beat runs the same task every ``PUBLIC_SITEMAP_SECONDS`` and rebuilds what is missing
  or older than the last change (or renews the lifetime of what is current). So a
  sitemap is at most about that long behind the register; crawlers read it daily.
- ``views`` serve the stored bytes: one Redis round trip, no SQL, gzip as stored to
  clients that accept it. Before anything is stored (a fresh deploy, Redis emptied), the
  answer is 503 with Retry-After and a build is queued; crawlers come back.
  ``PUBLIC_REFRESH_IN_BACKGROUND=0`` (no workers): nothing is queued; run
  ``python manage.py build_sitemaps`` from cron instead (README).

Addresses are built from settings.SITE_URL, the canonical address, rather than from the
host a request came in on, so the stored documents are right for every reader and a
forged Host header cannot put another site's links in them. ``lastmod`` is when readers
last saw a claim change (``Claim.public_changed_at``), not ``updated_at``, which also
moves on internal edits.
"""
