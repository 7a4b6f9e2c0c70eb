"""No request can starve the site: the cap on expensive work (503), the per-address rate limit (429),
sign-in under the cap, and made-up query parameters that cannot get past the page cache.

Real Redis throughout; the cap is filled by holding its slots as another worker would.
"""

import json
import logging

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from claims.throttle import address, slots
from tests.test_reminders_support import free_port

pytest_plugins = ["tests.test_public_support", "tests.test_reminders_support"]
pytestmark = [pytest.mark.usefixtures("public_cache"), pytest.mark.django_db]

SEARCH = "/claims/?q=nissan"
API_SEARCH = "/api/claims/?q=nissan"


@pytest.fixture
def cap_of_one(settings):
    settings.PUBLIC_EXPENSIVE_CONCURRENCY = 1
    held = []
    yield held
    for holder in held:
        slots.give_back(holder)
    assert slots.held() == 0  # every request gave its slot back


def hold_every_slot(held: list) -> None:
    """What other workers running expensive requests hold."""
    while (holder := slots.take()) is not None:
        assert holder, "the cap is off or Redis is away"
        held.append(holder)


def queries(client, url, **extra):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    return response, len(captured)


# --- the cap ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        SEARCH,
        "/claims/?status=pending",
        "/claims/?page=11",
        "/claims/feed/",
        "/claims/deadlines.ics",
        "/deadlines/?page=11",
    ],
)
def test_past_the_cap_expensive_pages_get_an_immediate_503_with_retry_after(anonymous, demo, cap_of_one, url):
    hold_every_slot(cap_of_one)
    response, count = queries(anonymous, url)
    assert response.status_code == 503
    assert response["Retry-After"] == str(django_settings.PUBLIC_BUSY_RETRY_AFTER)
    assert response["Cache-Control"] == "no-store"
    assert "busy" in response.content.decode()
    assert count == 0  # refused before any work


def test_the_api_answers_503_in_json(anonymous, demo, cap_of_one):
    hold_every_slot(cap_of_one)
    response = anonymous.get(API_SEARCH)
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert "busy" in json.loads(response.content)["detail"]
    assert response["Retry-After"]


def test_cheap_and_cached_pages_are_served_while_the_cap_is_full(anonymous, demo, cap_of_one):
    anonymous.get("/claims/feed/")  # cached while a slot was free
    hold_every_slot(cap_of_one)
    for url in ["/", "/claims/", "/claims/alpine-united-states/", "/claimants/alpine/", "/healthz", "/claims/feed/"]:
        assert anonymous.get(url).status_code == 200, url


def test_a_request_gives_its_slot_back_and_the_next_one_gets_it(anonymous, demo, cap_of_one):
    for _ in range(3):
        assert anonymous.get(f"{SEARCH}&sort=deadline").status_code == 200
        assert slots.held() == 0


def test_a_failing_view_gives_its_slot_back(anonymous, demo, cap_of_one):
    assert anonymous.get("/claims/?status=maybe").status_code == 400  # refused by the filters, inside the slot
    assert anonymous.get("/claims/?year=2026&page=zero").status_code == 400
    assert slots.held() == 0


def test_a_slot_whose_holder_died_is_free_again_when_its_hold_ends(anonymous, demo, cap_of_one):
    # A worker killed mid-request never gives its slot back: its hold ends by itself.
    client = cache._cache.get_client(write=True)
    seconds, micros = client.time()
    client.zadd(cache.make_key(slots.KEY), {"killed-worker": seconds * 1000 + micros // 1000 - 1})
    assert anonymous.get(SEARCH).status_code == 200
    client.zadd(cache.make_key(slots.KEY), {"running-worker": (seconds + 30) * 1000})
    assert anonymous.get("/claims/?q=alpine").status_code == 503  # not cached yet: needs the slot
    client.zrem(cache.make_key(slots.KEY), "running-worker")


def test_every_hold_ends_on_its_own(cap_of_one):
    holder = slots.take()
    cap_of_one.append(holder)
    client = cache._cache.get_client(write=True)
    seconds, micros = client.time()
    ends = client.zscore(cache.make_key(slots.KEY), holder)
    assert ends == pytest.approx((seconds + slots.HOLD_SECONDS) * 1000 + micros // 1000, abs=2000)
    assert 0 < client.pttl(cache.make_key(slots.KEY)) <= slots.HOLD_SECONDS * 1000


def test_no_cap_when_set_to_zero(anonymous, demo, settings):
    settings.PUBLIC_EXPENSIVE_CONCURRENCY = 0
    assert slots.take() == slots.UNBOUNDED
    assert anonymous.get(SEARCH).status_code == 200


def test_sign_in_posts_take_a_slot_of_their_own_pool(client, anonymous, demo, chiara, cap_of_one):
    """A password hash is expensive, but readers' expensive pages must not keep editors from
    signing in (a made-up session cookie makes any reader's feed uncached): sign-in has a
    pool of the same size of its own."""
    assert client.get("/admin/login/").status_code == 200  # the form itself is cheap
    wrong = {"username": "chiara", "password": "wrong guess", "next": "/admin/"}
    answered = client.post("/admin/login/", wrong)
    assert answered.status_code == 200 and slots.held(slots.SIGN_IN) == 0  # the slot given back
    hold_every_slot(cap_of_one)  # readers' expensive work holds the whole public pool
    assert client.post("/admin/login/", wrong).status_code == 200
    signing_in = [slots.take(slots.SIGN_IN)]
    refused = client.post("/admin/login/", wrong)
    assert refused.status_code == 503 and refused["Retry-After"]
    slots.give_back(signing_in.pop(), slots.SIGN_IN)
    right = client.post("/admin/login/", {"username": "chiara", "password": "correct horse battery", "next": "/admin/"})
    assert right.status_code == 302 and slots.held(slots.SIGN_IN) == 0


def test_a_sign_in_in_progress_counts_against_the_expensive_cap(anonymous, demo, cap_of_one):
    """The other way round, a hash does count: otherwise searches and guessed passwords
    together would hold the cap twice over, every worker of a small deployment."""
    signing_in = slots.take(slots.SIGN_IN)
    try:
        refused = anonymous.get(SEARCH)
        assert refused.status_code == 503 and refused["Retry-After"]
        assert slots.take() is None
    finally:
        slots.give_back(signing_in, slots.SIGN_IN)
    assert anonymous.get(SEARCH).status_code == 200 and slots.held() == 0


# --- the rate limit ----------------------------------------------------------------------


@pytest.fixture
def limit_of_three(settings):
    settings.PUBLIC_RATE_LIMIT = 3


def test_past_the_rate_limit_the_api_answers_429_with_retry_after(anonymous, demo, limit_of_three):
    for url in ["/api/claims/", "/api/claims/", "/api/claims/alpine-united-states/"]:  # cached or not, all count
        assert anonymous.get(url).status_code == 200
    refused = anonymous.get("/api/claims/")
    assert refused.status_code == 429 and refused["Content-Type"] == "application/json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many requests" in json.loads(refused.content)["detail"]
    assert anonymous.get("/api/claims/", REMOTE_ADDR="192.0.2.7").status_code == 200  # another address
    assert anonymous.get("/claims/").status_code == 200  # pages are not limited


def test_searches_on_the_list_page_count_and_browsing_does_not(anonymous, demo, settings):
    settings.PUBLIC_SEARCH_RATE_LIMIT = 3
    for _ in range(5):
        assert anonymous.get("/claims/?status=pending").status_code == 200
    for word in ["nissan", "alpine", "ev"]:
        assert anonymous.get(f"/claims/?q={word}").status_code in (200, 400)
    refused = anonymous.get("/claims/?q=renault")
    assert refused.status_code == 429 and refused["Content-Type"].startswith("text/html")
    assert int(refused["Retry-After"]) >= 1
    assert anonymous.get("/api/claims/").status_code == 200  # the API's count is another


KINDS = {
    "PUBLIC_SEARCH_RATE_LIMIT": ("get", "/claims/?q=nissan"),
    "PUBLIC_SITEMAP_RATE_LIMIT": ("get", "/sitemap-claims.xml"),
    "SIGN_IN_RATE_LIMIT": ("post", "/admin/login/"),
    "PUBLIC_DOWNLOAD_RATE_LIMIT": ("get", "/data/claims.json"),
    "PUBLIC_RATE_LIMIT": ("get", "/api/claims/"),
}


@pytest.mark.parametrize(("setting", "method", "url"), [(setting, *request) for setting, request in KINDS.items()])
def test_each_kind_of_request_has_a_limit_of_its_own(anonymous, demo, settings, setting, method, url):
    """Searches, sitemaps and sign-ins cost more and are needed less often than an API page:
    each kind is counted on its own, so a client that used up one still gets the others."""
    for name in KINDS:
        setattr(settings, name, 1000)
    setattr(settings, setting, 2)

    def ask(method, url):
        data = {"username": "nobody", "password": "wrong"} if method == "post" else None
        return getattr(anonymous, method)(url, data).status_code

    answers = [ask(method, url) for _ in range(3)]
    assert 429 not in answers[:2] and answers[2] == 429
    assert all(ask(*request) != 429 for other, request in KINDS.items() if other != setting)


def test_forwarded_addresses_are_believed_only_from_trusted_proxies(anonymous, demo, limit_of_three, settings):
    forged = {"HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    for n in range(3):
        assert anonymous.get("/api/claims/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code == 200
    assert anonymous.get("/api/claims/", **forged).status_code == 429  # all counted for 127.0.0.1
    settings.TRUSTED_PROXIES = ["127.0.0.0/8"]
    assert anonymous.get("/api/claims/", **forged).status_code == 200  # now the client behind the proxy


def test_the_client_address_is_read_from_the_right_of_the_forwarded_chain(rf, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4, 192.0.2.1")
    assert address.client_address(request) == "198.51.100.4"  # the forged 203.0.113.9 is not believed
    assert address.client_address(rf.get("/", REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR="1.2.3.4")) == (
        "198.51.100.8"
    )
    garbage = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="<script>, 198.51.100.4")
    assert address.client_address(garbage) == "198.51.100.4"
    assert address.limit_key("2001:db8:1:2:3:4:5:6") == address.limit_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"


# --- when Redis is away ---------------------------------------------------------------------


def test_both_limits_fail_open_when_redis_cannot_be_reached(anonymous, demo, settings):
    settings.PUBLIC_EXPENSIVE_CONCURRENCY = 1
    settings.PUBLIC_RATE_LIMIT = 1
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["LOCATION"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    caches["default"]["OPTIONS"] = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}
    logger = logging.getLogger("factcheck.cache")
    logger.disabled = True  # the warnings are expected here
    try:
        with override_settings(CACHES=caches):
            assert slots.take() == slots.UNBOUNDED
            for url in [SEARCH, API_SEARCH, API_SEARCH, "/claims/feed/", "/claims/?page=12", "/api/claims/"]:
                assert anonymous.get(url).status_code in (200, 404), url
    finally:
        logger.disabled = False


# --- made-up parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "with_junk"),
    [
        ("/", "/?r=123"),
        ("/claims/?status=pending", "/claims/?r=5&status=pending&utm_source=x"),
        ("/claims/alpine-united-states/", "/claims/alpine-united-states/?r=1"),
        ("/claimants/nissan/", "/claimants/nissan/?r=9&ref=newsletter"),
        ("/claims/feed/", "/claims/feed/?r=77"),
        ("/claims/deadlines.ics", "/claims/deadlines.ics?nocache=1"),
        ("/api/claims/?page_size=2", "/api/claims/?r=3&page_size=2&format=json"),
        ("/api/schema/", "/api/schema/?r=3"),
        ("/robots.txt", "/robots.txt?x=1"),
    ],
)
def test_random_parameters_hit_the_cache_and_get_the_canonical_page(anonymous, demo, url, with_junk, settings):
    settings.PUBLIC_CACHE_LOCAL_SECONDS = 0  # through Redis, as another process would
    canonical, first = queries(anonymous, url)
    assert canonical.status_code == 200 and first > 0 or url in ("/robots.txt", "/api/schema/")
    junk, count = queries(anonymous, with_junk)
    assert count == 0  # the canonical page's cache entry
    assert junk.status_code == 200 and junk.content == canonical.content and junk["ETag"] == canonical["ETag"]


def test_the_order_of_used_parameters_does_not_matter(anonymous, demo):
    first = anonymous.get("/claims/?status=pending&sort=deadline")
    _, count = queries(anonymous, "/claims/?sort=deadline&z=1&status=pending")
    assert count == 0
    assert anonymous.get("/claims/?sort=deadline&status=pending").content == first.content


def test_api_links_and_the_pager_do_not_echo_junk(anonymous, make_claim, chiara):
    from claims import services

    for n in range(3):
        services.publish(make_claim(statement=f"Nissan promise {n}"), by=chiara)
    body = json.loads(anonymous.get("/api/claims/?page_size=1&evil=%3Cscript%3E&page=2").content)
    assert body["next"] == "http://127.0.0.1:8000/api/claims/?page=3&page_size=1"  # DRF sorts them
    assert body["previous"] == "http://127.0.0.1:8000/api/claims/?page_size=1"
    for n in range(25):
        services.publish(make_claim(statement=f"Nissan pledge {n}"), by=chiara)
    page = anonymous.get("/claims/?junk=1&status=pending").content.decode()
    assert 'href="?status=pending&amp;page=2"' in page and "junk" not in page


def test_sitemaps_and_sign_in_posts_count_against_the_address_too(client, anonymous, chiara, settings):
    from tests.test_public_support import build_sitemaps

    settings.PUBLIC_SITEMAP_RATE_LIMIT = settings.SIGN_IN_RATE_LIMIT = 3
    build_sitemaps()
    for _ in range(3):
        assert anonymous.get("/sitemap-claims.xml?r=1").status_code == 200
    assert anonymous.get("/sitemap.xml").status_code == 429
    wrong = {"username": "chiara", "password": "wrong guess", "next": "/admin/"}
    for _ in range(3):
        assert client.post("/admin/login/", wrong, REMOTE_ADDR="192.0.2.9").status_code == 200
    refused = client.post("/admin/login/", wrong, REMOTE_ADDR="192.0.2.9")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert slots.held() == 0


def test_the_feed_and_calendar_made_afresh_count_against_the_rate_limit(anonymous, demo, limit_of_three):
    """A made-up session cookie keeps the page cache from answering: such requests are counted per address."""
    for _ in range(5):  # made once (counted once), then the cache's answers, which count nothing
        assert anonymous.get("/claims/feed/").status_code == 200
    anonymous.cookies["sessionid"] = "made-up"
    answers = [anonymous.get(url).status_code for url in ["/claims/feed/", "/claims/deadlines.ics", "/claims/feed/"]]
    assert answers == [200, 200, 429]


@pytest.mark.parametrize("spelling", ["01", "+1", " 1", "1 ", "\u0661", "1.0", "0x1"])
def test_a_page_number_has_one_spelling(anonymous, demo, spelling):
    """Each spelling int() accepts would be a page of its own in the cache, made afresh for nothing."""
    for url in ["/claims/", "/deadlines/", "/corrections/", "/api/claims/"]:
        response = anonymous.get(url, {"page": spelling})
        assert response.status_code == 400, (url, spelling, response.status_code)
    assert anonymous.get("/api/claims/", {"page_size": "0" + "10"}).status_code == 400
    assert anonymous.get("/claims/", {"page": "1"}).status_code == 200
