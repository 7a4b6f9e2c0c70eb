"""The web benchmark: gunicorn on loopback, driven by wrk, each endpoint against the ceiling.

The ceiling is /healthz (no database, no cache) through the same gunicorn, middleware and
wrk settings. Load on this machine is shared, so each endpoint is measured in short
rounds, each right after a round on the ceiling, and its ratio is the median of the
rounds' ratios: a burst of background work then moves both numbers of a round, and a
round it spoils is outvoted by the others.

"Uncached" servers run with PUBLIC_CACHE_SECONDS=0: no response is served from the
response cache, every request runs its view and reads its rows. What Redis keeps after
a write to another claim in production stays: the shared aggregates of
claims.public_cache.remember and the parts of claim and claimant pages keyed by their
own version (claims.fragments). Their cold cost shows in the "cold" column: a request
right after the benchmark's cache keys were deleted. "Cached" servers use the production
setting, with each page fetched once before it is measured.
"""

import dataclasses
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from bench import config

WRK = shutil.which("wrk") or "/usr/bin/wrk"
LUA = Path(__file__).with_name("wrk_report.lua")
CEILING_PATH = "/healthz"
COLD_SAMPLES = 3
FEW_REQUESTS = 20


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad_responses: int


@dataclass
class Result:
    name: str
    path: str | None
    kind: str
    mode: str  # "uncached" or "cached"
    note: str = ""
    load: Load | None = None
    ceiling: Load | None = None
    cold_ms: float | None = None
    extra: dict = field(default_factory=dict)
    round_ratios: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.round_ratios:
            return statistics.median(self.round_ratios)
        if self.load is None or self.ceiling is None or not self.ceiling.rps:
            return None
        return self.load.rps / self.ceiling.rps


class Server:
    """One gunicorn (sync workers, fixed count) in its own process group, stopped on exit."""

    def __init__(self, env: dict, *, workers: int, label: str, log_dir: Path):
        self.env, self.workers, self.label = env, workers, label
        self.log_path = log_dir / f"gunicorn-{label}.log"
        self.port = _free_port()
        self.process = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("w")
        command = [
            config.PYTHON, "-m", "gunicorn", "factcheck.wsgi",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--worker-class", "sync",
            "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning", "--error-logfile", "-",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=config.PROJECT_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.label}) exited at start; see {self.log_path}")
            try:
                if probe(self.url(CEILING_PATH), timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn ({self.label}) did not answer within 60 s; see {self.log_path}")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            # The group is this server's master and workers only (start_new_session above).
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def probe(url: str, *, cookie: str | None = None, timeout: float = 60) -> tuple[int, float, int]:
    """One GET: (status, seconds, body bytes)."""
    host, _, rest = url.removeprefix("http://").partition("/")
    connection = http.client.HTTPConnection(host, timeout=timeout)
    started = time.perf_counter()
    try:
        connection.request("GET", "/" + rest, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, time.perf_counter() - started, len(body)


def drive(url: str, *, seconds: float, connections: int, cookie: str | None = None) -> Load:
    """wrk with one thread for `seconds` at `connections` concurrent connections."""
    command = [WRK, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=True)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    if not summary["requests"]:
        # Nothing answered within the run: its latency is at least the run's length.
        summary["p50_us"] = summary["p99_us"] = int(seconds * 1e6)
    return Load(
        rps=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        requests=summary["requests"],
        bad_responses=summary["non_2xx_3xx"] + summary["socket_errors"],
    )


def clear_cache() -> int:
    """Delete the benchmark's cache keys (its own key prefix, in its own Redis database)."""
    client = redis.Redis.from_url(config.REDIS_URL, socket_timeout=5)
    keys = list(client.scan_iter(match=f"{config.CACHE_KEY_PREFIX}:*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])
    return len(keys)


def combine(loads: list[Load]) -> Load:
    """Rounds of one endpoint as one measurement: all requests over all time; p50 weighted, p99 the worst."""
    requests = sum(load.requests for load in loads)
    seconds = sum(load.requests / load.rps for load in loads if load.rps)
    return Load(
        rps=requests / seconds if seconds else 0.0,
        p50_ms=sum(load.p50_ms * load.requests for load in loads) / requests if requests else 0.0,
        p99_ms=max(load.p99_ms for load in loads),
        requests=requests,
        bad_responses=sum(load.bad_responses for load in loads),
    )


@dataclass
class Plan:
    """Per endpoint: `rounds` times, the ceiling for ceiling_seconds then the endpoint for seconds.

    Interleaving short rounds makes the endpoint and its ceiling see the same background
    load on a shared machine, where one long run of each would not.
    """

    workers: int
    connections: int
    seconds: float
    ceiling_seconds: float
    log_dir: Path
    rounds: int = 8
    ceiling_connections: int = 0  # 0: as many as the endpoint

    def __post_init__(self):
        self.ceiling_connections = self.ceiling_connections or self.connections


def run(endpoints: list[dict], cookie: str, database_url: str, plan: Plan, *, log) -> list[Result]:
    public = [e for e in endpoints if e["kind"] != "admin"]
    admin = [e for e in endpoints if e["kind"] == "admin"]
    results = []
    for mode, cache_seconds in (("uncached", "0"), ("cached", "300")):
        env = config.child_env(
            database_url,
            PUBLIC_CACHE_SECONDS=cache_seconds,
            # One address (wrk's) makes every request here: the rate limit is counted, as in
            # production, but set past reach; the cap equals the workers, so it is taken and
            # given back but never full. The abuse round (bench.abuse) runs them as advised.
            PUBLIC_RATE_LIMIT="1000000000",
            PUBLIC_SEARCH_RATE_LIMIT="1000000000",
            PUBLIC_SITEMAP_RATE_LIMIT="1000000000",
            PUBLIC_EXPENSIVE_CONCURRENCY=str(plan.workers),
        )
        clear_cache()
        with Server(env, workers=plan.workers, label=mode, log_dir=plan.log_dir) as server:
            # Every worker imports the project and opens its connections before anything is timed.
            drive(server.url(CEILING_PATH), seconds=2, connections=plan.connections)
            for endpoint in public:
                results.append(_measure(server, endpoint, mode, plan, log=log))
            if mode == "cached":
                for endpoint in admin:
                    results.append(_measure(server, endpoint, "logged in", plan, cookie=cookie, log=log))
                    # An editor's own experience: one request at a time, no queue behind other requests.
                    alone = dataclasses.replace(plan, connections=1)
                    results.append(_measure(server, endpoint, "logged in, 1 conn.", alone, cookie=cookie, log=log))
    return results


def _measure(server: Server, endpoint: dict, mode: str, plan: Plan, *, cookie=None, log) -> Result:
    result = Result(endpoint["name"], endpoint["path"], endpoint["kind"], mode)
    if not endpoint["available"]:
        result.note = endpoint["note"]
        log(f"  {mode:9} {endpoint['name']}: {result.note}")
        return result
    url = server.url(endpoint["path"])
    if mode == "uncached":
        result.cold_ms = _cold_ms(url)
    status, _, size = probe(url, cookie=cookie)  # and, when cached, puts the page in the cache
    if status != 200:
        result.note = "not available yet (404)" if status == 404 else f"error: HTTP {status} (see {server.log_path})"
        log(f"  {mode:9} {endpoint['name']}: {result.note}")
        return result
    ceilings, loads = [], []
    for _ in range(plan.rounds):
        # The ceiling always at the full load, so that ratios compare with one another.
        ceiling = drive(server.url(CEILING_PATH), seconds=plan.ceiling_seconds, connections=plan.ceiling_connections)
        ceilings.append(ceiling)
        loads.append(drive(url, seconds=plan.seconds, connections=plan.connections, cookie=cookie))
    result.ceiling, result.load = combine(ceilings), combine(loads)
    result.round_ratios = [load.rps / ceiling.rps for ceiling, load in zip(ceilings, loads, strict=True) if ceiling.rps]
    result.extra["bytes"] = size
    notes = []
    if result.load.bad_responses:
        notes.append(f"{result.load.bad_responses} failed, timed out or non-2xx responses")
    if result.load.requests < FEW_REQUESTS:
        notes.append(f"only {result.load.requests} requests completed: latency percentiles are rough")
    result.note = "; ".join(notes)
    cold = f", cold {result.cold_ms:.0f} ms" if result.cold_ms is not None else ""
    log(
        f"  {mode:9} {endpoint['name']}: {result.load.rps:.0f} rps, p50 {result.load.p50_ms:.1f} ms, "
        f"p99 {result.load.p99_ms:.1f} ms; ceiling {result.ceiling.rps:.0f} rps; ratio {result.ratio:.2f}{cold}"
    )
    return result


def _cold_ms(url: str) -> float | None:
    """Median time of a request made right after the benchmark's cache was emptied."""
    times = []
    for _ in range(COLD_SAMPLES):
        clear_cache()
        status, seconds, _ = probe(url)
        if status != 200:
            return None
        times.append(seconds * 1000)
    return statistics.median(times)
