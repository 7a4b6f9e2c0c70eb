"""The built files in the "opendata" storage, and the manifest of the current ones in the cache.

A file is named by its content (``claims-<hash>.csv``), written in full before the
manifest names it, so a request never reads half a file, and two builds at once write
the same names for the same content. The manifest lives in the cache (a public data
key: ``public_cache.clear()`` empties it with the rest); files of older builds are
removed once a newer manifest is stored, except those of the build before, which a
request that read the old manifest may still be sending.
"""

import hashlib
import logging
import tempfile
import time

from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import storages
from django.utils import timezone

from claims import public_cache
from claims.opendata import build

logger = logging.getLogger(__name__)

MANIFEST = "opendata:manifest"
STORAGE = "opendata"


def storage():
    return storages[STORAGE]


def _key() -> str:
    return public_cache.data_key(MANIFEST)


def today() -> str:
    return timezone.localdate().isoformat()


def manifest() -> dict | None:
    return cache.get(_key())


def withdraw() -> None:
    """Stop serving the files until the next build (after a takedown or a correction); the files stay on disk."""
    cache.delete(_key())


def rebuild(generation: str) -> dict:
    """Write both files as the register is now; store and return the manifest."""
    started, built_at = time.monotonic(), int(time.time())
    previous = manifest() or {}
    files = {}
    for format in build.FORMATS:
        with tempfile.TemporaryFile() as out:
            build.write(format, out)
            size = out.tell()
            out.seek(0)
            digest = hashlib.blake2b(digest_size=16)
            while chunk := out.read(1 << 20):
                digest.update(chunk)
            name = f"claims-{digest.hexdigest()}.{format}"
            if not storage().exists(name):
                out.seek(0)
                saved = storage().save(name, File(out, name=name))
                if saved != name:  # another build wrote it meanwhile: keep one
                    storage().delete(saved)
        files[format] = {"name": name, "etag": f'"{digest.hexdigest()}"', "size": size}
    current = {"generation": generation, "day": today(), "built_at": built_at, "files": files}
    cache.set(_key(), current, timeout=None)
    _remove_older(keep={f["name"] for m in (current, previous) for f in m.get("files", {}).values()})
    logger.info("Open data built: %s in %.1f s", {f: d["size"] for f, d in files.items()}, time.monotonic() - started)
    return current


def _remove_older(keep: set[str]) -> None:
    try:
        _dirs, names = storage().listdir("")
    except FileNotFoundError:
        return
    for name in names:
        if name.startswith("claims-") and name not in keep:
            storage().delete(name)
