"""A cache in one SQLite file: what the processes of a machine share when there is no Redis.

Development only: settings choose it when `make run` finds no Redis (factcheck.quickstart).
The web process, the worker and beat open the same file, so a page one caches is served
by the others, the aggregates a worker refreshes reach the readers, and a lock one takes
holds the others off, as with Redis. It offers what the code calls on
FailOpenRedisCache, with the guarantees the callers rely on:

- ``add`` (a lock or the first generation stamp) is one INSERT that only an expired
  entry lets through, and SQLite runs one writer at a time: of two processes adding the
  same key, one wins;
- ``delete_if_equal`` (how a lock's holder releases it) is one DELETE that compares;
- ``incr`` is one UPDATE: integers are stored as SQLite integers, everything else pickled;
- ``delete_matching`` takes Redis's glob pattern (SQLite's GLOB reads it the same way).

Expired entries are dropped now and then by the writes; when there are more than
MAX_ENTRIES, the soonest to expire go (a third of them, as Django's own caches cull).
"""

import os
import pickle
import random
import sqlite3
import time
from pathlib import Path

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

_SCHEMA = "CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL) WITHOUT ROWID"
_LIVE = "(expires IS NULL OR expires > ?)"
_UPSERT = "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires"  # noqa: E501
# Of the writes, about one in this many also drops expired entries.
CULL_EVERY = 50
# How long opening the file keeps trying while another opener holds it (see SQLiteCache._set_up).
SET_UP_SECONDS = 5
_INT64 = range(-(2**63), 2**63)


def _dumps(value):
    # Integers stay integers, so that incr adds in SQL (and compare as Redis compares them).
    return value if type(value) is int and value in _INT64 else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _loads(raw):
    return raw if isinstance(raw, int) else pickle.loads(raw)


class SQLiteCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)
        self.path = Path(location)
        self._db = None
        self._pid = None

    @property
    def db(self) -> sqlite3.Connection:
        # Django makes one cache object per thread; a forked process (Celery's pool) opens its own.
        if self._db is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            self._set_up(db)
            self._db, self._pid = db, os.getpid()
        return self._db

    @staticmethod
    def _set_up(db: sqlite3.Connection) -> None:
        # Readers do not wait for the writer; a write is durable enough for a cache. Switching
        # a new file to WAL takes a lock that SQLite's busy timeout does not always wait for:
        # processes (or threads) opening the file at once try again for a few seconds.
        deadline = time.monotonic() + SET_UP_SECONDS
        while True:
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute(_SCHEMA)
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.005, 0.05))

    def _key(self, key, version):
        return self.make_and_validate_key(key, version=version)

    def _expires(self, timeout):
        return self.get_backend_timeout(timeout)

    def _wrote(self) -> None:
        if random.randrange(CULL_EVERY) == 0:
            self._cull()

    def _cull(self) -> None:
        db = self.db
        db.execute("DELETE FROM cache WHERE expires <= ?", (time.time(),))
        (count,) = db.execute("SELECT count(*) FROM cache").fetchone()
        if count > self._max_entries:
            excess = count // max(self._cull_frequency, 1)
            db.execute(
                "DELETE FROM cache WHERE key IN (SELECT key FROM cache ORDER BY expires IS NULL, expires LIMIT ?)",
                (excess,),
            )

    # --- Django's cache API --------------------------------------------------------------

    def get(self, key, default=None, version=None):
        row = self.db.execute(
            f"SELECT value FROM cache WHERE key = ? AND {_LIVE}", (self._key(key, version), time.time())
        ).fetchone()
        return default if row is None else _loads(row[0])

    def get_many(self, keys, version=None):
        made = {self._key(key, version): key for key in keys}
        if not made:
            return {}
        marks = ",".join("?" * len(made))
        rows = self.db.execute(
            f"SELECT key, value FROM cache WHERE key IN ({marks}) AND {_LIVE}", (*made, time.time())
        ).fetchall()
        return {made[key]: _loads(value) for key, value in rows}

    def has_key(self, key, version=None):
        row = self.db.execute(
            f"SELECT 1 FROM cache WHERE key = ? AND {_LIVE}", (self._key(key, version), time.time())
        ).fetchone()
        return row is not None

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self.db.execute(_UPSERT, (self._key(key, version), _dumps(value), self._expires(timeout)))
        self._wrote()

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        expires = self._expires(timeout)
        rows = [(self._key(key, version), _dumps(value), expires) for key, value in data.items()]
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany(_UPSERT, rows)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        self._wrote()
        return []

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        now = time.time()
        cursor = self.db.execute(
            _UPSERT + " WHERE cache.expires IS NOT NULL AND cache.expires <= ?",
            (self._key(key, version), _dumps(value), self._expires(timeout), now),
        )
        self._wrote()
        return cursor.rowcount == 1

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        cursor = self.db.execute(
            f"UPDATE cache SET expires = ? WHERE key = ? AND {_LIVE}",
            (self._expires(timeout), self._key(key, version), time.time()),
        )
        return cursor.rowcount == 1

    def incr(self, key, delta=1, version=None):
        made = self._key(key, version)
        row = self.db.execute(
            f"UPDATE cache SET value = value + ? WHERE key = ? AND {_LIVE} AND typeof(value) = 'integer' "
            "RETURNING value",
            (delta, made, time.time()),
        ).fetchone()
        if row is None:
            raise ValueError(f"Key '{made}' not found, or not an integer")
        return row[0]

    def delete(self, key, version=None):
        cursor = self.db.execute("DELETE FROM cache WHERE key = ?", (self._key(key, version),))
        return cursor.rowcount == 1

    def delete_many(self, keys, version=None):
        made = [self._key(key, version) for key in keys]
        if made:
            self.db.execute(f"DELETE FROM cache WHERE key IN ({','.join('?' * len(made))})", made)

    def clear(self):
        self.db.execute("DELETE FROM cache")

    # --- what FailOpenRedisCache adds -----------------------------------------------------

    def delete_if_equal(self, key, value, version=None) -> bool:
        """Delete ``key`` only while it holds ``value``, in one statement (a lock's release by its holder)."""
        cursor = self.db.execute(
            f"DELETE FROM cache WHERE key = ? AND value = ? AND {_LIVE}",
            (self._key(key, version), _dumps(value), time.time()),
        )
        return cursor.rowcount == 1

    def run_script(self, script: str, keys, args, *, fallback=None):
        """A Redis script cannot run here: ``fallback``, as FailOpenRedisCache answers with Redis down.

        The deployment-wide limits of claims.throttle (the cap on expensive work, the rate
        limit) then stand aside; the embedded parts serve one developer's machine.
        """
        return fallback

    def delete_matching(self, pattern: str, version=None) -> int:
        """Delete the keys of this cache (its prefix and version) matching the glob ``pattern``; how many."""
        cursor = self.db.execute("DELETE FROM cache WHERE key GLOB ?", (self.make_key(pattern, version=version),))
        return cursor.rowcount
