"""The quick start on one machine (`make run`): its .env, names of its own, and running without Redis.

`make run` must give a newcomer the whole product in one command, on a machine that may
have no Redis, beside other checkouts of the project:

- **.env**: `python -m factcheck.quickstart env --port N`, run by `make run` before
  anything else, writes the checkout's `.env` once (DEBUG=1 and a generated SECRET_KEY)
  and points its SITE_URL at the port served on, every time: absolute links (API, feed,
  calendar, sitemap, robots.txt, ClaimReview, emails) name that port, and
  `.venv/bin/python manage.py ...` works with no variables set. Settings read the file
  (factcheck.env.read_env_file); a variable set in the environment wins over it.
- **Names of its own**: with DEBUG=1 the cache's key prefix and the keys of Celery's
  queue in Redis carry a short hash of the checkout's path, and the beat schedule lives
  in the checkout (RUN_DIR): two checkouts on one machine can share a Redis without one
  running the other's tasks against its own database or serving the other's pages.
  Production keeps fixed names: a release unpacked in a new directory must share the
  cache (and its generation stamp) with the processes of the release before it.
- **Without Redis**, in development only: when DEBUG=1, REDIS_URL is not set and
  nothing answers on 127.0.0.1:6379, Celery's broker is kombu's filesystem transport
  and the cache an SQLite file (factcheck.sqlite_cache), both in RUN_DIR, shared by
  every process of the machine: reminders go out, pages are cached, locks hold. `make
  run` decides once and hands the answer to all its processes (EMBEDDED_SERVICES=1 or
  0 in RUN_DIR/processes.env), so that a Redis started later, or a web process restarted
  by the autoreloader, cannot split them between two brokers. Production (DEBUG=0)
  always uses Redis.
"""

import argparse
import hashlib
import os
import re
import secrets
import socket
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from factcheck.env import env_bool, env_str, read_env_file, without_password

BASE_DIR = Path(__file__).resolve().parent.parent
# Where a Redis of this machine would answer when REDIS_URL is not set.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_REDIS_ADDRESS = ("127.0.0.1", 6379)
# A refused connection on the loopback interface is answered at once; this only bounds a
# firewall that drops packets.
PROBE_SECONDS = 0.25
PROCESSES_ENV = "processes.env"

_ENV_LINE = re.compile(r"\A(?:export )?([A-Za-z_0-9]+)=(.*)\Z")
# A SITE_URL this module wrote (or one like it): a port of this machine, moved to the new port.
_LOCAL_SITE_URL = re.compile(r"\A['\"]?http://(127\.0\.0\.1|localhost):\d+/?['\"]?\Z")


def checkout_id(base_dir: Path = BASE_DIR) -> str:
    """Eight hex characters that tell this checkout from any other on the machine."""
    return hashlib.blake2b(str(base_dir).encode(), digest_size=4).hexdigest()


def run_dir(base_dir: Path = BASE_DIR) -> Path:
    """RUN_DIR: the checkout's folder for what `make run`'s processes share (git-ignored)."""
    path = Path(env_str("RUN_DIR", "") or ".run").expanduser()
    return path if path.is_absolute() else base_dir / path


def redis_answers(address: tuple[str, int] = DEFAULT_REDIS_ADDRESS, timeout: float = PROBE_SECONDS) -> bool:
    """Whether anything accepts a connection there: enough to tell a machine that runs no Redis."""
    try:
        with socket.create_connection(address, timeout=timeout):
            return True
    except OSError:
        return False


def embedded_services(*, debug: bool) -> bool:
    """Whether this process runs Celery's broker and the cache on files in RUN_DIR.

    EMBEDDED_SERVICES: ``auto`` (the default) when DEBUG=1, REDIS_URL is unset and nothing
    answers on 127.0.0.1:6379; ``1`` always (development only); ``0`` never.
    """
    raw = env_str("EMBEDDED_SERVICES", "auto")
    if raw.strip().lower() == "auto":
        return debug and "REDIS_URL" not in os.environ and not redis_answers()
    try:
        wanted = env_bool("EMBEDDED_SERVICES", default=False)
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            f"Environment variable EMBEDDED_SERVICES={raw!r} is not valid: expected auto, 1 or 0."
        ) from None
    if wanted and not debug:
        raise ImproperlyConfigured(
            "EMBEDDED_SERVICES=1 is for development (DEBUG=1) only: production requires Redis (REDIS_URL)."
        )
    if wanted and "REDIS_URL" in os.environ:
        raise ImproperlyConfigured(
            "EMBEDDED_SERVICES=1 and REDIS_URL are both set: unset REDIS_URL to run without Redis, "
            "or EMBEDDED_SERVICES to use it."
        )
    return wanted


def filesystem_broker(folder: Path) -> dict:
    """Transport options of kombu's filesystem broker in ``folder`` (made here: kombu does not make it).

    Producers write each message as a file in ``queue/`` and workers take it from there;
    exchange bindings (remote control, events) are kept in ``control/``.
    """
    queue, control = folder / "queue", folder / "control"
    for path in (queue, control):
        path.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "control_folder": str(control),
        "store_processed": False,
    }


# --- `make run` ------------------------------------------------------------------------


def write_env_file(path: Path, *, port: int) -> bool:
    """Create the checkout's .env once; on every run, point its SITE_URL at ``port``. True if created.

    Lines added by hand are kept as they are, and so is a SITE_URL that is not an address
    of this machine (the developer's own). The file holds a key: only its owner reads it.
    """
    site_url = f"http://127.0.0.1:{port}"
    created = not path.exists()
    lines = [] if created else path.read_text().splitlines()
    if created:
        lines = ["# Development values for this checkout, written by `make run` (git-ignored).",
                 "# Settings read them; a variable set in the environment wins."]  # fmt: skip
    names = set()
    for index, line in enumerate(lines):
        match = _ENV_LINE.match(line)
        if not match:
            continue
        names.add(match.group(1))
        if match.group(1) == "SITE_URL" and _LOCAL_SITE_URL.match(match.group(2)):
            lines[index] = f"SITE_URL={site_url}"
    if "DEBUG" not in names:
        lines.append("DEBUG=1")
    if "SECRET_KEY" not in names:
        lines.append(f"SECRET_KEY={secrets.token_urlsafe(50)}")
    if "SITE_URL" not in names:
        lines.append(f"SITE_URL={site_url}")
    partial = path.with_name(path.name + ".partial")
    partial.write_text("\n".join(lines) + "\n")
    partial.chmod(0o600)
    partial.replace(path)
    return created


def services_line(embedded: bool, folder: Path) -> str:
    if embedded:
        shown = folder.relative_to(BASE_DIR) if folder.is_relative_to(BASE_DIR) else folder
        return (
            f"No Redis on 127.0.0.1:6379: Celery's queue and the cache are files in {shown}/ "
            "(development only; start Redis and `make run` again to use it)."
        )
    url = env_str("REDIS_URL", DEFAULT_REDIS_URL)
    return f"Redis at {without_password(url)}: Celery's queue and the cache, under this checkout's own names."


def prepare(port: int, base_dir: Path = BASE_DIR) -> str:
    """Write .env, decide how the processes reach each other, hand that to them; returns the line to show."""
    created = write_env_file(base_dir / ".env", port=port)
    read_env_file(base_dir / ".env")
    folder = run_dir(base_dir)
    folder.mkdir(parents=True, exist_ok=True)
    embedded = embedded_services(debug=env_bool("DEBUG", default=False))
    (folder / PROCESSES_ENV).write_text(f"EMBEDDED_SERVICES={int(embedded)}\n")
    created_line = "Wrote .env (DEBUG=1, a new SECRET_KEY): manage.py reads it.\n" if created else ""
    return created_line + services_line(embedded, folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m factcheck.quickstart", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["env"], help="env: write .env and decide how the processes meet")
    parser.add_argument("--port", type=int, required=True, help="the port `make run` serves on")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port {args.port} is not a TCP port")
    try:
        print(prepare(args.port))
    except ImproperlyConfigured as exc:
        print(f"make run: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
