"""Development without Redis: when it is chosen, the SQLite cache the processes share, the start-up check.

The reminder flow through a real worker on the filesystem broker is
tests/test_quickstart_reminders.py; the whole `make run` without Redis is
tests/test_quickstart_clone.py.
"""

import datetime
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import public_cache, services
from claims.checks import redis_reachable
from claims.models import Claim
from factcheck import quickstart
from factcheck.sqlite_cache import SQLiteCache
from tests.test_quickstart_support import without_redis
from tests.test_reminders_support import free_port

pytest_plugins = ["tests.test_public_support"]
ROOT = Path(__file__).resolve().parent.parent


def open_cache(path: Path, **params) -> SQLiteCache:
    return SQLiteCache(str(path), {"KEY_PREFIX": "test", **params})


# --- when -------------------------------------------------------------------------------


def test_the_probe_tells_a_port_with_redis_from_one_without():
    host, port = django_settings.REDIS_URL.split("//")[1].split("/")[0].split(":")
    assert quickstart.redis_answers((host, int(port))) is True
    assert quickstart.redis_answers(("127.0.0.1", free_port())) is False


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"EMBEDDED_SERVICES": "1", "DEBUG": "0"}, "production requires Redis"),
        ({"EMBEDDED_SERVICES": "1", "REDIS_URL": "redis://127.0.0.1:6379/4"}, "both set"),
        ({"EMBEDDED_SERVICES": "sometimes"}, "expected auto, 1 or 0"),
    ],
)
def test_a_contradictory_choice_stops_start_up_naming_it(monkeypatch, variables, message):
    monkeypatch.delenv("REDIS_URL", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        quickstart.embedded_services(debug=variables.get("DEBUG") != "0")


def test_forced_either_way_the_probe_is_not_asked(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("EMBEDDED_SERVICES", "1")
    assert quickstart.embedded_services(debug=True) is True
    monkeypatch.setenv("EMBEDDED_SERVICES", "0")
    assert quickstart.embedded_services(debug=True) is False


def manage_without_redis(tmp_path: Path, *args: str, **env) -> subprocess.CompletedProcess:
    """manage.py on a machine without Redis, with ``env`` and none of this run's settings."""
    unset = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "EMBEDDED_SERVICES", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {key: value for key, value in os.environ.items() if key not in unset}
    environment = without_redis({**environment, "RUN_DIR": str(tmp_path / "run"), **env}, tmp_path / "no-redis")
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def chosen(tmp_path: Path, **env) -> str:
    """What a process on a machine without Redis chooses."""
    code = (
        "from django.conf import settings as s; "
        "print(s.EMBEDDED_SERVICES, s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'], s.REDIS_URL)"
    )
    result = manage_without_redis(tmp_path, "shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_with_debug_and_nothing_on_6379_the_processes_run_on_files(tmp_path):
    assert chosen(tmp_path, DEBUG="1") == "True filesystem://localhost// factcheck.sqlite_cache.SQLiteCache None"
    assert (tmp_path / "run" / "celery" / "queue").is_dir()


def test_production_without_redis_keeps_requiring_it_and_says_so_loudly(tmp_path):
    production = {"DEBUG": "0", "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "claims.example.org"}
    assert chosen(tmp_path, **production) == (
        "False redis://127.0.0.1:6379/0 factcheck.cache.FailOpenRedisCache redis://127.0.0.1:6379/0"
    )
    check = manage_without_redis(tmp_path, "check", **production)
    assert check.returncode == 0, "a warning: an outage must not also stop the commands an operator needs"
    assert "PRODUCTION REQUIRES REDIS (DEBUG=0)" in check.stderr and "NO DEADLINE REMINDERS" in check.stderr
    assert chosen(tmp_path, DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/4").startswith("False "), "REDIS_URL set"


def test_the_start_up_check_shouts_in_production_and_is_silent_without_redis_in_development(settings):
    settings.EMBEDDED_SERVICES = False
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.DEBUG = False
    (problem,) = redis_reachable(None)
    assert problem.id == "factcheck.W002"
    assert "PRODUCTION REQUIRES REDIS" in problem.msg and "NO DEADLINE REMINDERS ARE SENT" in problem.hint
    settings.DEBUG = True
    (problem,) = redis_reachable(None)
    assert problem.id == "factcheck.W001" and "unset REDIS_URL" in problem.hint
    settings.EMBEDDED_SERVICES, settings.REDIS_URL = True, None
    assert redis_reachable(None) == []


# --- the SQLite cache --------------------------------------------------------------------


def test_add_lets_one_of_many_racing_writers_win_and_an_expired_entry_be_taken(tmp_path):
    path = tmp_path / "cache.sqlite3"
    caches = [open_cache(path) for _ in range(8)]  # as Django makes them, one per thread
    start, results = threading.Barrier(len(caches)), {}

    def take(cache, n):
        start.wait()
        try:
            results[n] = cache.add("lock", n, timeout=60)
        except Exception as error:  # a thread's exception would otherwise only be printed
            results[n] = error

    threads = [threading.Thread(target=take, args=(cache, n)) for n, cache in enumerate(caches)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [False] * 7 + [True]
    holder = caches[0].get("lock")
    assert results[holder] is True

    with time_machine.travel(datetime.timedelta(seconds=61)):
        assert caches[1].get("lock") is None
        assert caches[1].add("lock", "next", timeout=60) is True
        assert caches[2].add("lock", "other", timeout=60) is False


def test_a_lock_is_released_by_its_holder_only(tmp_path):
    cache = open_cache(tmp_path / "cache.sqlite3")
    assert cache.add("lock", 4242, timeout=60)
    assert cache.delete_if_equal("lock", 1717) is False, "another holder's value"
    assert cache.get("lock") == 4242
    assert cache.delete_if_equal("lock", 4242) is True
    assert cache.get("lock") is None
    cache.set("entry", ("stamp", {"a": 1}))
    assert cache.delete_if_equal("entry", ("stamp", {"a": 1})) is True, "pickled values compare too"


def test_the_rest_of_the_cache_api_the_public_site_uses(tmp_path):
    cache = open_cache(tmp_path / "cache.sqlite3")
    other = open_cache(tmp_path / "cache.sqlite3", KEY_PREFIX="another-checkout")
    cache.set_many({"public:a": 1, "public:b": [2], "private": "x"}, timeout=None)
    other.set("public:a", "theirs")
    assert cache.get_many(["public:a", "public:b", "missing"]) == {"public:a": 1, "public:b": [2]}
    assert cache.incr("public:a", 5) == 6
    with pytest.raises(ValueError):
        cache.incr("private")
    assert cache.touch("public:b", timeout=1) and not cache.touch("missing")
    with time_machine.travel(datetime.timedelta(seconds=2)):
        assert not cache.has_key("public:b")
    assert cache.delete_matching("public:*") == 2
    assert cache.get_many(["public:a", "public:b", "private"]) == {"private": "x"}
    assert other.get("public:a") == "theirs", "another prefix in the same file is left alone"
    cache.set("gone", 1, timeout=0)
    assert cache.get("gone", "default") == "default"


def test_old_entries_are_culled_past_max_entries(tmp_path, monkeypatch):
    monkeypatch.setattr("factcheck.sqlite_cache.CULL_EVERY", 1)
    cache = open_cache(tmp_path / "cache.sqlite3", OPTIONS={"MAX_ENTRIES": 30, "CULL_FREQUENCY": 3})
    for n in range(40):
        cache.set(f"k{n}", n, timeout=1000 + n)
    (count,) = cache.db.execute("SELECT count(*) FROM cache").fetchone()
    assert count <= 31
    assert cache.get("k39") == 39, "the latest to expire are kept"


# --- the public site on it -----------------------------------------------------------------


@pytest.fixture
def sqlite_cache(settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": "factcheck.sqlite_cache.SQLiteCache", "LOCATION": str(tmp_path / "cache.sqlite3")}
    }
    settings.PUBLIC_CACHE_LOCAL_SECONDS = 0  # every hit through the shared file
    public_cache.local_pages.forget()
    yield
    public_cache.local_pages.forget()


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/claims/", "/claims/alpine-united-states/", "/api/claims/", "/api/docs/"])
def test_public_pages_are_cached_in_the_file_and_a_write_is_seen(sqlite_cache, anonymous, demo, chiara, url):
    first, first_queries = get(anonymous, url)
    second, second_queries = get(anonymous, url)
    assert first.status_code == second.status_code == 200
    assert second_queries == 0 and second.content == first.content
    assert url == "/api/docs/" or first_queries > 0

    claim = Claim.objects.get(slug="alpine-united-states")
    claim.statement = "Alpine will sell its cars in the United States by 2028, said the CEO again."
    services.save_claim(claim, by=chiara, reason="New wording")
    third, third_queries = get(anonymous, url)
    assert third.status_code == 200
    assert url == "/api/docs/" or third_queries > 0, "rendered again after the write"
    if "alpine" in url:
        assert "said the CEO again" in third.content.decode()
    assert public_cache.clear() > 0
    assert public_cache.clear() == 0
