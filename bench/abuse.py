"""The abuse round: a reader's latency while the site is attacked, on the same data and gunicorn as the other rounds.

While 8 clients guess a chief editor's password, 20 run expensive searches (random
combinations of common words, so that none is cached) and 4 fetch sitemaps with random
query parameters, one reader (wrk, 1 connection) reads the overview, a claim page and
``/healthz`` in turn, ``READ_SECONDS`` each; its p50 and p99 are reported.

Each attacking client has its own source address on the loopback network (127.0.2.x,
127.0.3.x, 127.0.4.x: Linux routes all of 127.0.0.0/8 to the loopback interface), as 32
clients on the internet would, so the per-address rate limit sees 32 clients and the cap
on expensive work sees their requests. The server runs with the production settings and
as the README advises a deployment: ``PUBLIC_EXPENSIVE_CONCURRENCY`` at half the
benchmark's workers, and more workers than that cap and the sign-in pool together (a
worker always free for everyone else: with 2 workers and a cap of 1, a password hash and
a search held both, for up to a second). The
sitemaps are built first (``manage.py build_sitemaps``), as beat or a change would.

Every loop is bounded in time; the attackers stop by themselves after the reader's rounds.
"""

import http.client
import random
import re
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

from bench import config, database, web

READ_SECONDS = 8
GUESSERS, SEARCHERS, SITEMAP_FETCHERS = 8, 20, 4
# Words of the generated statements (bench.generate): three of them rarely meet, which is what makes a search slow.
WORDS = (
    "rail germany electric battery wind night charging coal research hatchback emissions fleet plant compact "
    "france japan europe region states launch deliver build double sell offshore network budget"
).split()
SIGN_IN_USER = "bench-chief"
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class AbuseResult:
    readers: dict[str, web.Load] = field(default_factory=dict)  # name -> the reader's load
    paths: dict[str, str] = field(default_factory=dict)
    attacks: dict[str, Counter] = field(default_factory=dict)  # kind -> status counts
    concurrency: int = 0
    workers: int = 0
    note: str = ""

    @property
    def p99_ms(self) -> float | None:
        return max((load.p99_ms for load in self.readers.values()), default=None)

    @property
    def p50_ms(self) -> float | None:
        return max((load.p50_ms for load in self.readers.values()), default=None)


class Attacker(threading.Thread):
    def __init__(self, kind: str, number: int, port: int, until: float, stop: threading.Event, counts: Counter):
        super().__init__(daemon=True, name=f"{kind}-{number}")
        self.kind, self.port, self.until, self.stop, self.counts = kind, port, until, stop, counts
        block = {"guess": 2, "search": 3, "sitemap": 4}[kind]
        self.source = f"127.0.{block}.{number + 1}"
        self.random = random.Random(f"{kind}-{number}")

    def request(self, method: str, path: str, *, body: str | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(self.source, 0))
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
            self.counts[response.status] += 1
            return response, data
        finally:
            connection.close()

    def run(self):
        while not self.stop.is_set() and time.monotonic() < self.until:
            try:
                getattr(self, self.kind)()
            except (OSError, http.client.HTTPException):
                self.counts["error"] += 1
                time.sleep(0.05)

    def search(self):
        words = " ".join(self.random.sample(WORDS, 3))
        self.request("GET", "/claims/?" + urllib.parse.urlencode({"q": words}))

    def sitemap(self):
        path = self.random.choice(["/sitemap-claims.xml", "/sitemap-claimants.xml", "/sitemap.xml"])
        self.request("GET", f"{path}?r={self.random.randrange(10**9)}")

    def guess(self):
        if not hasattr(self, "cookie"):
            response, data = self.request("GET", "/admin/login/")
            token = _TOKEN.search(data.decode(errors="replace"))
            cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
            if not (token and cookie):
                time.sleep(0.1)
                return
            self.token, self.cookie = token.group(1), f"csrftoken={cookie.group(1)}"
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": self.token,
                "username": SIGN_IN_USER,
                "password": f"guess-{self.random.randrange(10**9)}",
                "next": "/admin/",
            }
        )
        headers = {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}
        self.request("POST", "/admin/login/", body=body, headers=headers)


def run(endpoints: list[dict], database_url: str, plan: web.Plan, *, log) -> AbuseResult:
    by_name = {endpoint["name"]: endpoint for endpoint in endpoints}
    claim = by_name.get("claim page", {})
    readers = {"overview": "/", "claim page": claim.get("path") if claim.get("available") else None}
    readers["/healthz"] = web.CEILING_PATH
    result = AbuseResult(paths={name: path for name, path in readers.items() if path})
    result.concurrency = max(1, plan.workers // 2)
    # The cap, one sign-in at a time (its own pool, of the cap's size), and one worker free.
    result.workers = max(plan.workers, 2 * result.concurrency + 1)
    env = config.child_env(
        database_url, PUBLIC_CACHE_SECONDS="300", PUBLIC_EXPENSIVE_CONCURRENCY=str(result.concurrency)
    )
    web.clear_cache()
    database.run_step("manage", ["build_sitemaps", "--force"], env=env, timeout=1800, log=log)
    with web.Server(env, workers=result.workers, label="abuse", log_dir=plan.log_dir) as server:
        web.drive(server.url(web.CEILING_PATH), seconds=2, connections=plan.connections)
        for path in result.paths.values():
            web.probe(server.url(path))  # cached before the attack, as readers' pages are
        stop = threading.Event()
        until = time.monotonic() + len(result.paths) * (READ_SECONDS + 2) + 10
        attackers = []
        for kind, count in (("guess", GUESSERS), ("search", SEARCHERS), ("sitemap", SITEMAP_FETCHERS)):
            counts = result.attacks.setdefault(kind, Counter())
            attackers += [Attacker(kind, n, server.port, until, stop, counts) for n in range(count)]
        for attacker in attackers:
            attacker.start()
        try:
            time.sleep(2)  # the attack under way before the reader starts
            for name, path in result.paths.items():
                load = web.drive(server.url(path), seconds=READ_SECONDS, connections=1)
                result.readers[name] = load
                summary = f"p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, {load.requests} requests"
                log(f"  abuse     reader {name}: {summary}")
        finally:
            stop.set()
            for attacker in attackers:
                attacker.join(timeout=40)
    for kind, counts in result.attacks.items():
        log(f"  abuse     {kind}: " + ", ".join(f"{status}: {n}" for status, n in sorted(counts.items(), key=str)))
    return result
