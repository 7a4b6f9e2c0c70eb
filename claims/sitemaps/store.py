"""The built sitemaps in Redis: each document gzipped with its ETag, and a manifest of what is there.

Keys are the public cache's data keys (``public_cache.data_key``), so ``public_cache.clear()``
empties them with the rest. A request reads the manifest and its document in one round
trip (``fetch``). A build writes the documents first and the manifest last; a request
during a build may get a document of the new build with the manifest of the previous
one, which for a sitemap is harmless. Documents live ``KEEP_SECONDS`` and beat renews
them (``renew``) while they are current, so they do not expire between changes.
"""

import gzip
import hashlib
import logging
import time

from django.core.cache import cache

from claims import public_cache
from claims.sitemaps import build

logger = logging.getLogger(__name__)

MANIFEST = "sitemap:manifest"
# A week: beat renews current documents every PUBLIC_SITEMAP_SECONDS, a build replaces them.
KEEP_SECONDS = 7 * 24 * 3600


def document_name(section: str, number: int) -> str:
    return f"sitemap:{section}:{number}"


def _key(name: str) -> str:
    return public_cache.data_key(name)


def _put(name: str, text: str, built_at: int) -> None:
    body = text.encode()
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    # mtime=0: the same document gzips to the same bytes whenever it is built.
    cache.set(_key(name), (etag, built_at, gzip.compress(body, compresslevel=6, mtime=0)), timeout=KEEP_SECONDS)


def rebuild(generation: str) -> dict:
    """Build and store every document as the register is now; return the manifest stored.

    ``generation`` is the public generation read before reading any row: a change during
    the build leaves the manifest older than the register, and the next run builds again.
    """
    started = time.monotonic()
    built_at = int(time.time())
    previous = cache.get(_key(MANIFEST)) or {}
    pages = {}
    for section in build.SECTIONS:
        count = 0
        for count, text in enumerate(build.section(section), 1):  # noqa: B007 - the count is used after the loop
            _put(document_name(section, count), text, built_at)
        pages[section] = count
    _put(document_name("index", 1), build.index(pages, build.latest_claim_change()), built_at)
    manifest = {"generation": generation, "pages": pages, "built_at": built_at}
    cache.set(_key(MANIFEST), manifest, timeout=KEEP_SECONDS)
    for section, count in previous.get("pages", {}).items():
        # Pages of a longer earlier build are not served (the manifest says how many there are): drop them.
        cache.delete_many([_key(document_name(section, n)) for n in range(pages.get(section, 0) + 1, count + 1)])
    logger.info("Sitemaps built: %s in %.1f s", pages, time.monotonic() - started)
    return manifest


def manifest() -> dict | None:
    return cache.get(_key(MANIFEST))


def renew(current: dict) -> None:
    """Keep the documents of ``current`` (a manifest) another KEEP_SECONDS."""
    names = [MANIFEST, document_name("index", 1)] + [
        document_name(section, n) for section, count in current["pages"].items() for n in range(1, count + 1)
    ]
    for name in names:
        cache.touch(_key(name), KEEP_SECONDS)


def fetch(section: str, number: int) -> tuple[dict | None, tuple | None]:
    """(manifest, document) in one round trip; a document is (etag, built_at, gzipped bytes)."""
    manifest_key, document_key = _key(MANIFEST), _key(document_name(section, number))
    found = cache.get_many([manifest_key, document_key])
    return found.get(manifest_key), found.get(document_key)
