"""Deep pages are read ids first (a deferred join) and show exactly what a plain OFFSET showed."""

import re

import pytest

from claims.templatetags.public import page_url
from claims.views import base
from tests.test_public_support import make_register

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache", "frozen_day"), pytest.mark.django_db]

REGISTER = 130  # with 25 a page, pages 5 and 6 start past DEFERRED_JOIN_OFFSET


@pytest.fixture
def register(system, commit):
    with commit():
        return make_register(REGISTER, by=system)


def listed_slugs(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'href="/claims/([\w-]+)/"', response.content.decode())


def shown(response) -> tuple[int, list[str]]:
    if response.status_code != 200:
        return response.status_code, []
    return 200, listed_slugs(response)


@pytest.mark.parametrize(
    "address",
    [
        "/claims/?page={page}",
        "/claims/?status=open&sort=deadline&page={page}",
        "/claims/?q=promise&sort=-deadline&page={page}",
        "/claimants/maker-1/?page={page}",
    ],
    ids=["newest", "open-by-deadline", "search-latest-deadline", "claimant-page"],
)
def test_every_page_matches_the_plain_offset(anonymous, register, monkeypatch, settings, address):
    settings.PUBLIC_CACHE_SECONDS = 0
    pages = range(1, REGISTER // 25 + 3)
    monkeypatch.setattr(base, "DEFERRED_JOIN_OFFSET", 10**9)  # never: a plain OFFSET
    plain = [shown(anonymous.get(address.format(page=page))) for page in pages]
    monkeypatch.setattr(base, "DEFERRED_JOIN_OFFSET", 0)  # always
    deferred = [shown(anonymous.get(address.format(page=page))) for page in pages]
    assert deferred == plain
    assert sum(len(slugs) for _status, slugs in plain) >= 26  # more than one page of claims was compared


def test_deep_pages_of_the_whole_register_follow_on_without_gaps(anonymous, register, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    seen = []
    for page in range(1, REGISTER // 25 + 2):
        seen += [slug for slug in listed_slugs(anonymous.get(f"/claims/?page={page}")) if slug.startswith("promise-")]
    assert sorted(seen) == sorted(f"promise-{i}" for i in range(REGISTER))
    assert anonymous.get(f"/claims/?page={REGISTER // 25 + 2}").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=3",
        "status=missed&page=2&sort=deadline",
        "page=2&q=caf%C3%A9+%26+co&status=missed&status=open",  # repeated keys, escapes, page first
        "q=a%2Bb&page=4&page=5&year=2026",  # a page given twice: one link page
    ],
)
@pytest.mark.parametrize("number", [1, 2, 7])
def test_pager_links_keep_the_filters_as_querydict_wrote_them(rf, query, number):
    """page_url builds the address by hand; it must be QueryDict.copy() + urlencode() to the character."""
    request = rf.get(f"/claims/?{query}")
    expected = request.GET.copy()
    if number <= 1:
        expected.pop("page", None)
    else:
        expected["page"] = number
    assert page_url({"request": request}, number) == f"?{expected.urlencode()}"
