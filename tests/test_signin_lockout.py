"""Lockout after repeated failed sign-ins (django-axes): real sign-in POSTs to the admin's form."""

import datetime
import re

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.test import RequestFactory

from claims.throttle.address import client_address
from tests.signin_support import PASSWORD, CountingHasher, sign_in
from tests.test_register_settings import manage

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
WRONG = "Tr0ub4dor&3"


@pytest.fixture(autouse=True)
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.signin_support.CountingHasher"]
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_COOLOFF_MINUTES = 15
    settings.TRUSTED_PROXIES = []
    return CountingHasher


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def fail(client, username, times, **kwargs):
    return [sign_in(client, username, WRONG, **kwargs) for _ in range(times)]


def same_form(page, username) -> str:
    """The sign-in form again, without what differs by design: the name typed, the CSRF token."""
    text = page.content.decode().replace(username, "NAME")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_an_ipv6_guesser_is_counted_by_its_64_not_by_each_address(client, chiara, frozen):
    """One subscriber holds a whole /64: rotating addresses inside it buys no fresh guesses."""
    answers = [sign_in(client, "chiara", WRONG, address=f"2001:db8:1:2::{n:x}") for n in range(1, 6)]
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert sign_in(client, "chiara", PASSWORD, address="2001:db8:1:2::ff").status_code == 429
    assert sign_in(client, "chiara", PASSWORD, address="2001:db8:1:3::1").status_code == 302  # the next /64


def test_the_fifth_failure_locks_and_the_right_password_is_then_refused_without_hashing(
    client, chiara, frozen, counting_hasher
):
    answers = fail(client, "chiara", 5)
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    assert "Please enter the correct username and password" in answers[0].content.decode()

    hashes_before = counting_hasher.hashes
    refused = sign_in(client, "chiara", PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert counting_hasher.hashes == hashes_before, "a locked-out attempt must not reach the password hasher"
    assert not is_signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_the_lockout_page_says_when_to_try_again_in_the_newsrooms_time(client, chiara, frozen, settings):
    settings.TIME_ZONE = "Europe/Paris"
    fail(client, "chiara", 4)
    frozen.shift(datetime.timedelta(minutes=3))  # the cool-off runs from the last failure
    page = fail(client, "chiara", 1)[0]
    text = page.content.decode()
    assert page.status_code == 429
    assert "2 March 2026, 10:18 CET" in text  # 09:03 UTC + 15 min, in Paris, as the desk writes times
    assert "in about 15 minutes" in text
    assert 'href="/admin/login/"' in text and "factcheck workbench" in text  # the admin's page


def test_the_lockout_ends_after_the_cool_off_and_refusals_do_not_extend_it(client, chiara, frozen):
    fail(client, "chiara", 5)
    frozen.shift(datetime.timedelta(minutes=14, seconds=59))
    assert sign_in(client, "chiara", PASSWORD).status_code == 429
    assert fail(client, "chiara", 1)[0].status_code == 429
    frozen.shift(datetime.timedelta(seconds=2))
    answer = sign_in(client, "chiara", PASSWORD)
    assert answer.status_code == 302 and answer["Location"] == "/admin/"
    assert is_signed_in(client)


def test_the_limit_and_the_cool_off_come_from_the_settings(client, chiara, frozen, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_COOLOFF_MINUTES = 60
    answers = fail(client, "chiara", 2)
    assert [a.status_code for a in answers] == [200, 429]
    assert answers[1]["Retry-After"] == "3600"


def test_the_page_is_the_same_whether_or_not_the_username_exists(client, chiara, frozen):
    real = fail(client, "chiara", 6, address="198.51.100.7")
    ghost = fail(client, "nobody-by-that-name", 6, address="198.51.100.7")
    assert [a.status_code for a in real] == [a.status_code for a in ghost] == [200] * 4 + [429] * 2
    assert real[-1].content == ghost[-1].content
    assert same_form(real[0], "chiara") == same_form(ghost[0], "nobody-by-that-name")
    assert sign_in(client, "chiara", PASSWORD).content == sign_in(client, "nobody-by-that-name", PASSWORD).content


def test_only_the_pair_is_locked(client, chiara, elena, frozen):
    fail(client, "chiara", 5, address="198.51.100.7")
    assert sign_in(client, "chiara", PASSWORD, address="192.0.2.44").status_code == 302  # her desk, another address
    client.logout()
    assert sign_in(client, "elena", PASSWORD, address="198.51.100.7").status_code == 302  # another name, same address


def test_forwarded_for_is_ignored_without_trusted_proxies(client, chiara, frozen):
    answers = [
        sign_in(client, "chiara", WRONG, address="10.0.0.2", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(5)
    ]
    assert answers[-1].status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.2"}


def test_forwarded_for_is_believed_from_trusted_proxies_only_where_they_wrote_it(client, chiara, frozen, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    via_proxy = {"address": "10.0.0.2"}
    fail(client, "chiara", 5, HTTP_X_FORWARDED_FOR="203.0.113.9", **via_proxy)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    # The locked client claims another address: the proxy appended the one it saw, which counts.
    spoofed = sign_in(client, "chiara", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10, 203.0.113.9", **via_proxy)
    assert spoofed.status_code == 429
    # Another reader behind the same proxy is not locked out.
    assert sign_in(client, "chiara", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10", **via_proxy).status_code == 302


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.5", "192.0.2.1", "203.0.113.5"),  # not from a proxy of ours: the header is the client's own
        ("10.0.0.2", "192.0.2.1", "192.0.2.1"),
        ("10.0.0.2", "192.0.2.1, 10.0.0.3", "192.0.2.1"),  # two proxies of ours
        ("10.0.0.2", "198.51.100.1, 192.0.2.1", "192.0.2.1"),  # left of the first untrusted: written by the client
        ("10.0.0.2", "192.0.2.1, not-an-address", "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "10.0.0.4", "10.0.0.4"),  # only proxies: the furthest one
        ("::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_address(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "::1/128"]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_attempts_and_lockouts_are_in_the_admin_for_chief_editors(client, chiara, elena, frozen):
    fail(client, "elena", 5)
    assert AccessFailureLog.objects.filter(username="elena", locked_out=True).count() == 1
    client.force_login(chiara)
    attempts = client.get("/admin/axes/accessattempt/")
    assert attempts.status_code == 200 and "elena" in attempts.content.decode()
    failures = client.get("/admin/axes/accessfailurelog/")
    assert failures.status_code == 200 and "elena" in failures.content.decode()
    client.force_login(elena)
    assert client.get("/admin/axes/accessattempt/").status_code == 403


def test_axes_reset_username_unlocks(client, chiara, frozen):
    fail(client, "chiara", 5)
    call_command("axes_reset_username", "chiara", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sign_in(client, "chiara", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LOGIN_FAILURE_LIMIT", "0"),
        ("LOGIN_COOLOFF_MINUTES", "a quarter of an hour"),
        ("TRUSTED_PROXIES", "10.0.0.1,proxy.internal"),
        ("REQUIRE_2FA", "sometimes"),
    ],
)
def test_a_bad_sign_in_setting_stops_start_up_naming_it(variable, value):
    result = manage("check", DEBUG="1", **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and variable in result.stderr and value in result.stderr
