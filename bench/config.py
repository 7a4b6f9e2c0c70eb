"""Where the benchmark runs: database names, Redis, and the environment of its child processes.

Everything runs on 127.0.0.1. Each size gets its own PostgreSQL database (fc_bench_10k,
fc_bench_1m, ...), so a generated million-claim database can be reused by later runs.
"""

import os
import secrets
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# The PostgreSQL server (no database name) and the Redis database the benchmark may use.
POSTGRES_SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
# Cache keys of the benchmark's servers; only keys under this prefix are ever deleted.
CACHE_KEY_PREFIX = "factcheck-bench"

SWEEP_BASELINE_CLAIMS = 10_000

# One signing key per run: sessions made by bench.targets must be valid in gunicorn.
_SECRET_KEY = "bench-" + secrets.token_urlsafe(48)


def database_name(claims: int) -> str:
    for size, suffix in ((1_000_000, "m"), (1_000, "k")):
        if claims % size == 0:
            return f"fc_bench_{claims // size}{suffix}"
    return f"fc_bench_{claims}"


def database_url(claims: int) -> str:
    return f"{POSTGRES_SERVER_URL}/{database_name(claims)}"


def child_env(database_url: str, **extra: str) -> dict[str, str]:
    """Production-like settings (DEBUG off) for loopback: no TLS redirect, benchmark-only secret."""
    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": _SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": CACHE_KEY_PREFIX,
            # Reminders go to Django's in-memory outbox: the sweep is timed, not an SMTP server.
            "EMAIL_URL": "memorymail://",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "factcheck.settings",
            "PYTHONPATH": str(PROJECT_DIR),
        }
    )
    env.update(extra)
    return env


def setup_django() -> None:
    """For the child steps: load the project's settings from the environment child_env made."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    django.setup()
