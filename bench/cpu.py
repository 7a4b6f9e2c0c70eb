"""CPU per request of public addresses, in-process: this process, the PostgreSQL backend serving it, and Redis.

The web benchmark's ratios move by up to 0.05 between runs on a shared machine; CPU time
does not depend on what else the machine is doing, so two versions of the code can be
compared by it, and changes of a tenth of a millisecond seen. Each address is requested
through Django's WSGI handler (no network, no gunicorn), warmed up, then requested
``--requests`` times in each of ``--rounds`` rounds; the median round is printed:

    python:   time.process_time() of this process
    postgres: user + system time of the backend serving this connection (/proc/<pid>/stat)
    redis:    used_cpu_user + used_cpu_sys from Redis's INFO (all its clients: keep Redis quiet)

Run it with the benchmark's database and settings, for example

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fc_bench_1m DEBUG=0 PUBLIC_CACHE_SECONDS=0 \\
        SECRET_KEY=... ALLOWED_HOSTS=127.0.0.1 python -m bench.cpu / /claims/ /api/claims/

(``manage.py collectstatic`` first: pages name their stylesheet from its manifest). To
compare two commits, check the other out in a `git worktree` and run both in turn.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench import config

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
WARM_UP = 30


def parse(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="addresses, e.g. / or '/claims/?status=missed&page=50'")
    parser.add_argument("--requests", type=int, default=300, help="requests per round (default 300)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per address; the median is printed (default 3)")
    return parser.parse_args(argv)


def backend_seconds(pid: int) -> float:
    """User + system CPU of a process, from /proc (in clock ticks: 10 ms; hence hundreds of requests a round)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def main(argv=None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    config.setup_django()
    import redis
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    handler = WSGIHandler()
    redis_client = redis.Redis.from_url(settings.REDIS_URL)

    def get(path: str) -> None:
        address = urlsplit(path)
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": address.path, "QUERY_STRING": address.query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        }  # fmt: skip
        status = []
        body = b"".join(handler(environ, lambda line, headers: status.append(line)))
        if not status[0].startswith("200"):
            sys.exit(f"{path}: {status[0]}: {body[:300]!r}")

    def postgres_seconds() -> float:
        connection.ensure_connection()
        return backend_seconds(connection.connection.info.backend_pid) if connection.vendor == "postgresql" else 0.0

    def redis_seconds() -> float:
        info = redis_client.info("cpu")
        return info["used_cpu_user"] + info["used_cpu_sys"]

    for path in args.paths:
        for _ in range(WARM_UP):
            get(path)
        rounds = []
        for _ in range(args.rounds):
            before = time.process_time(), postgres_seconds(), redis_seconds()
            for _ in range(args.requests):
                get(path)
            after = time.process_time(), postgres_seconds(), redis_seconds()
            rounds.append([(end - start) * 1000 / args.requests for start, end in zip(before, after, strict=True)])
        python, postgres, redis_ms = (statistics.median(round_[part] for round_ in rounds) for part in range(3))
        print(
            f"{path:40} python {python:5.2f}  postgres {postgres:5.2f}  redis {redis_ms:4.2f}  "
            f"total {python + postgres + redis_ms:5.2f} ms per request",
            flush=True,
        )


if __name__ == "__main__":
    main()
