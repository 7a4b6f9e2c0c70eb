"""Profiles of the endpoints that miss a target: where one uncached request spends its time.

Each path is requested in-process with Django's test client (page cache off, as in the
uncached benchmark): once cold, right after the cache was emptied (its SQL: what the
first reader after a change pays), then warm under cProfile (the SQL and the heaviest
functions: what every uncached request pays). An endpoint that misses its cached target
is profiled as a cache hit instead.

    python -m bench.profiling PATH [PATH ...]     (BENCH_COOKIE: the admin session cookie)
"""

import cProfile
import io
import json
import os
import pstats
import re
import sys
import time

from bench import config
from bench.database import run_step

SLOWEST_QUERIES = 4
# Marks a path measured with the response cache on: its profile is of a cache hit.
CACHED_PREFIX = "cached:"
FUNCTIONS = 18


def collect(results, cookie: str, database_url: str, *, log) -> dict[str, str]:
    """Profile each endpoint among `results` (bench.web.Result) as it was measured; returns {title: text}."""
    paths = list(dict.fromkeys(f"{CACHED_PREFIX}{r.path}" if r.mode == "cached" else r.path for r in results))
    env = config.child_env(
        database_url, PUBLIC_CACHE_SECONDS="0", ALLOWED_HOSTS="127.0.0.1,localhost,testserver", BENCH_COOKIE=cookie
    )
    try:
        out = run_step("profiling", paths, env=env, timeout=120 + 60 * len(paths), log=log, capture=True)
    except RuntimeError as exc:
        log(f"  profiling failed: {exc}")
        return {}
    return json.loads(out.strip().splitlines()[-1])


def profile_path(client, path: str) -> str:
    if path.startswith(CACHED_PREFIX):
        return _cache_hit(client, path.removeprefix(CACHED_PREFIX))
    return "\n".join([_cold(client, path), "", _warm(client, path)])


def _profiled_get(client, path: str):
    """GET path under cProfile, capturing its SQL: (response, profiler, queries, milliseconds)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        profiler.enable()
        response = client.get(path)
        profiler.disable()
        total = (time.perf_counter() - started) * 1000
    return response, profiler, queries, total


def _cache_hit(client, path: str) -> str:
    """A page served from the response cache, as in the cached benchmark: what a hit costs."""
    from django.test import override_settings

    with override_settings(PUBLIC_CACHE_SECONDS=300):
        client.get(path)  # fills the cache
        response, profiler, queries, total = _profiled_get(client, path)
    return "\n".join(
        [
            f"Cache hit: GET {path} -> {response.status_code}, {len(response.content):,} bytes: {total:.1f} ms under "
            f"cProfile, {len(queries.captured_queries)} SQL queries.",
            "",
            hot_spots(profiler),
        ]
    )


def _cold(client, path: str) -> str:
    """Right after the cache was emptied: what the first reader after a change pays (SQL only)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from claims import public_cache

    public_cache.clear()
    public_cache.invalidate()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        client.get(path)
        total = (time.perf_counter() - started) * 1000
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    lines = [
        f"Cold (cache emptied first): {total:.1f} ms, {len(queries.captured_queries)} SQL queries taking "
        f"{sql_ms:.1f} ms. Slowest:"
    ]
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:SLOWEST_QUERIES]:
        lines.append(f"  {float(query['time']) * 1000:7.1f} ms  {_short(query['sql'])}")
    return "\n".join(lines)


def _warm(client, path: str) -> str:

    client.get(path)  # warm: imports, templates, connection, the shared aggregates
    response, profiler, queries, total = _profiled_get(client, path)
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    lines = [
        f"Warm (page cache off, as measured): GET {path} -> {response.status_code}: {total:.1f} ms under "
        f"cProfile, {len(queries.captured_queries)} SQL queries taking {sql_ms:.1f} ms. Slowest:",
    ]
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:SLOWEST_QUERIES]:
        lines.append(f"  {float(query['time']) * 1000:7.1f} ms  {_short(query['sql'])}")
    return "\n".join(lines + ["", hot_spots(profiler)])


def hot_spots(profiler) -> str:
    """The project's own functions by cumulative time, then every function by its own time."""
    own, everything = io.StringIO(), io.StringIO()
    pstats.Stats(profiler, stream=own).sort_stats("cumulative").print_stats(r"/claims/", FUNCTIONS)
    pstats.Stats(profiler, stream=everything).sort_stats("tottime").print_stats(FUNCTIONS)
    return "\n".join(
        [
            "The project's functions (cumulative time):",
            _trim_paths(own.getvalue()),
            "",
            "Where the time is spent (own time):",
            _trim_paths(everything.getvalue()),
        ]
    )


def _short(sql: str, limit: int = 400) -> str:
    sql = re.sub(r"\s+", " ", sql)
    return sql if len(sql) <= limit else sql[: limit - 1] + "…"


def _trim_paths(text: str) -> str:
    text = text[text.find("   ncalls") :] if "   ncalls" in text else text
    return re.sub(r"\S*/(site-packages|work/main)/", "", text).rstrip()


def main(paths: list[str]) -> None:
    config.setup_django()
    from django.test import Client

    client = Client()
    cookie_name, _, cookie_value = os.environ.get("BENCH_COOKIE", "").partition("=")
    profiles = {}
    for path in paths:
        client.cookies.clear()
        if path.startswith("/admin/") and cookie_value:
            client.cookies[cookie_name] = cookie_value
        title = f"{path.removeprefix(CACHED_PREFIX)} (cached)" if path.startswith(CACHED_PREFIX) else path
        try:
            profiles[title] = profile_path(client, path)
        except Exception as exc:  # the profile of one page must not cost the others theirs
            profiles[title] = f"GET {path} raised {type(exc).__name__}: {exc}"
    print(json.dumps(profiles))


if __name__ == "__main__":
    main(sys.argv[1:])
