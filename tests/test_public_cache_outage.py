"""Redis that hangs or drops out: the site stops waiting for it, and no page outlives a write made meanwhile.

The cache talks to the real Redis through a small TCP relay in this process, which the
tests switch between passing bytes on, hanging (accepting and never answering, like an
overloaded or half-dead server) and refusing.
"""

import contextlib
import datetime
import logging
import socket
import threading
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import override_settings

from claims import public_cache, services
from claims.models import Claim
from factcheck.cache import cool_down_seconds

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache"), pytest.mark.django_db]

TIMEOUT = 0.2


class Relay:
    """A TCP relay to Redis with three modes: "up", "hang" and "down"."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.mode, self.connections = target, "up", 0
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            self.connections += 1
            self._sockets.append(client)
            if self.mode == "down":
                client.close()
            elif self.mode == "up":
                upstream = socket.create_connection(self.target)
                self._sockets.append(upstream)
                for source, sink in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()
            # "hang": keep the connection open and never answer

    @staticmethod
    def _pump(source, sink):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)

    def switch(self, mode: str):
        """Change mode; connections already open are cut, as a restarted or lost server would."""
        self.mode = mode
        sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self):
        self.switch("down")
        self._listener.close()


@pytest.fixture
def relay(settings):
    real = urlsplit(django_settings.REDIS_URL)
    relay = Relay((real.hostname or "127.0.0.1", real.port or 6379))
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["LOCATION"] = f"redis://127.0.0.1:{relay.port}{real.path or '/0'}"
    caches["default"]["OPTIONS"] = {"socket_connect_timeout": TIMEOUT, "socket_timeout": TIMEOUT}
    logger = logging.getLogger("factcheck.cache")
    logger.disabled = True  # the warnings are expected here
    try:
        with override_settings(CACHES=caches):
            yield relay
    finally:
        logger.disabled = False
        relay.close()


def later(seconds: float):
    return time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds))


def test_a_hung_redis_is_asked_once_per_cool_down_not_once_per_call(anonymous, demo, relay):
    relay.switch("hang")
    response = anonymous.get("/")  # a miss: a dozen cache calls without the breaker
    assert response.status_code == 200
    asked = relay.connections
    assert asked >= 1
    assert anonymous.get("/claims/").status_code == 200
    assert cache.get("anything") is None
    assert relay.connections == asked  # skipped: nobody waited for the timeout again
    with later(cool_down_seconds() + 1):
        cache.get("anything")
    assert relay.connections > asked  # the cool-down is over: Redis is tried again


def test_a_redis_that_comes_back_answers_again(anonymous, demo, relay):
    relay.switch("down")
    assert cache.get("anything") is None
    assert cache.delete_if_equal("anything", 1) is False  # a lock's release fails open too
    relay.switch("up")
    with later(cool_down_seconds() + 1):
        cache.set("anything", 1)
        assert cache.get("anything") == 1


def test_a_write_during_an_outage_does_not_leave_stale_pages(anonymous, demo, chiara, relay, commit, settings):
    settings.PUBLIC_CACHE_LOCAL_SECONDS = 0
    url = "/claims/alpine-united-states/"
    assert anonymous.get(url).status_code == 200
    assert anonymous.get(url).status_code == 200  # cached in Redis now
    relay.switch("down")
    claim = Claim.objects.get(slug="alpine-united-states")
    with commit():
        services.unpublish(claim, by=chiara)  # the generation cannot be moved on
    relay.switch("up")  # Redis is back, with the old page in it
    with later(cool_down_seconds() + 1):
        assert anonymous.get(url).status_code == 404
        assert anonymous.get("/claims/").content.decode().count("alpine-united-states") == 0


def test_aggregates_live_no_longer_than_pages(anonymous, demo):
    public_cache.remember("test-lifetime", lambda: 1)
    key = cache.make_key(public_cache.data_key("test-lifetime"))
    lifetime = cache._cache.get_client(key).ttl(key)
    assert 0 < lifetime <= max(public_cache.page_seconds(), 300)
