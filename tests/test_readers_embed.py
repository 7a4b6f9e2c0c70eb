"""The embeddable card and oEmbed: the one framable page, cached or not; every other page stays DENY."""

import json
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from claims import services

pytest_plugins = ["tests.test_public_support", "tests.test_readers_support"]
pytestmark = pytest.mark.usefixtures("public_cache")

SITE = "http://127.0.0.1:8000"


@pytest.fixture
def claim(make_claim, commit):
    # Committed, as a request's write would be: a request in a transaction with uncommitted changes skips the cache.
    with commit():
        return make_claim(statement="Acme will open 12 stores in Lyon by 2027.", published_at=timezone.now())


def framable(response) -> bool:
    policy = response.get("Content-Security-Policy", "")
    return "X-Frame-Options" not in response and "frame-ancestors *" in policy


def refuses_framing(response) -> bool:
    policy = response.get("Content-Security-Policy", "")
    return response.get("X-Frame-Options") == "DENY" and "frame-ancestors 'none'" in policy


def test_the_card_shows_the_claim_and_may_be_framed_by_anyone(anonymous, claim, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = anonymous.get(f"/claims/{claim.slug}/embed/")
    html = response.content.decode()
    assert response.status_code == 200 and framable(response)
    assert "Acme will open 12 stores in Lyon by 2027." in html and "Nissan" in html
    assert 'class="status status--pending"' in html and "by 2026" in html
    assert f'href="{SITE}/claims/{claim.slug}/" target="_blank" rel="noopener"' in html
    assert "<script" not in html and "site-header" not in html, "no script, no site frame"
    assert '<link rel="stylesheet" href="/static/public/embed.css">' in html
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy, "only framing is relaxed"


def test_a_cached_card_and_its_304_keep_the_framing_rule(anonymous, claim, django_assert_num_queries):
    url = f"/claims/{claim.slug}/embed/"
    first = anonymous.get(url)
    with django_assert_num_queries(0):
        cached = anonymous.get(url)
        not_modified = anonymous.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert cached.content == first.content and framable(cached)
    assert not_modified.status_code == 304 and framable(not_modified)


def test_every_other_page_refuses_to_be_framed_cached_or_not(anonymous, claim):
    pages = [
        "/", "/claims/", claim.get_absolute_url(), claim.claimant.get_absolute_url(), "/deadlines/",
        "/corrections/", "/suggest/", "/follow/", f"/follow/?claim={claim.slug}", "/api/claims/",
        f"/oembed/?url={SITE}/claims/{claim.slug}/", "/admin/login/",
    ]  # fmt: skip
    for url in pages:
        for attempt in ("miss", "hit"):
            response = anonymous.get(url)
            assert response.status_code == 200, (url, attempt)
            assert refuses_framing(response), (url, attempt, response.get("Content-Security-Policy"))


def test_the_card_of_a_draft_or_an_unpublished_claim_is_a_404(anonymous, make_claim, claim, system, commit):
    with commit():
        draft = make_claim()
    assert anonymous.get(f"/claims/{draft.slug}/embed/").status_code == 404
    assert anonymous.get(f"/claims/{claim.slug}/embed/").status_code == 200  # and now in the cache
    with commit():
        services.unpublish(claim, by=system)
    gone = anonymous.get(f"/claims/{claim.slug}/embed/")
    assert gone.status_code == 404 and refuses_framing(gone)


def oembed(anonymous, **params):
    return anonymous.get("/oembed/", params)


def test_oembed_answers_a_rich_response_field_by_field(anonymous, claim, settings, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = oembed(anonymous, url=f"{SITE}/claims/{claim.slug}/", format="json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert set(data) == {
        "version", "type", "title", "author_name", "author_url", "provider_name", "provider_url", "cache_age",
        "html", "width", "height",
    }  # fmt: skip
    assert data["version"] == "1.0" and isinstance(data["version"], str)
    assert data["type"] == "rich"
    assert data["title"] == "Acme will open 12 stores in Lyon by 2027."
    assert data["author_name"] == "Nissan" and data["author_url"] == f"{SITE}/claimants/nissan/"
    assert data["provider_name"] == settings.NEWSROOM_NAME and data["provider_url"] == settings.NEWSROOM_URL
    assert data["cache_age"] == 3600 and isinstance(data["cache_age"], int)
    assert (data["width"], data["height"]) == (480, 260)
    assert all(isinstance(data[name], int) for name in ("width", "height"))
    iframe = only_element(data["html"])
    assert iframe == (
        "iframe",
        {
            "src": f"{SITE}/claims/{claim.slug}/embed/",
            "width": "480",
            "height": "260",
            "title": "Acme will open 12 stores in Lyon by 2027.",
            "loading": "lazy",
        },
    )
    # The card the html frames is there, and may be framed.
    assert framable(anonymous.get(urlsplit(iframe[1]["src"]).path))


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def only_element(html: str):
    parser = _Elements()
    parser.feed(html)
    assert len(parser.found) == 1, parser.found
    return parser.found[0]


@pytest.mark.parametrize(
    ("params", "size"),
    [
        ({"maxwidth": "300", "maxheight": "200"}, (300, 200)),
        ({"maxwidth": "9999"}, (480, 260)),
        ({"maxheight": "100"}, (480, 100)),
        ({}, (480, 260)),
    ],
)
def test_oembed_honours_maxwidth_and_maxheight(anonymous, claim, params, size):
    data = json.loads(oembed(anonymous, url=f"{SITE}/claims/{claim.slug}/", **params).content)
    assert (data["width"], data["height"]) == size
    _tag, attributes = only_element(data["html"])
    assert (int(attributes["width"]), int(attributes["height"])) == size


@pytest.mark.parametrize("bad", ["abc", "0", "-5", "1.5", "100000"])
def test_oembed_refuses_a_size_that_is_no_size(anonymous, claim, bad):
    response = oembed(anonymous, url=f"{SITE}/claims/{claim.slug}/", maxwidth=bad)
    assert response.status_code == 400 and "maxwidth" in json.loads(response.content)["error"]


def test_oembed_offers_json_only(anonymous, claim):
    for format_ in ("xml", "yaml"):
        response = oembed(anonymous, url=f"{SITE}/claims/{claim.slug}/", format=format_)
        assert response.status_code == 501
    assert oembed(anonymous, url=f"{SITE}/claims/{claim.slug}/").status_code == 200, "json when not said"


def test_oembed_knows_only_published_claims_of_this_site(anonymous, claim, make_claim):
    draft = make_claim()
    page = f"{SITE}/claims/{claim.slug}/"
    for url in [page, f"{page}embed/", f"{page}?utm_source=x"]:
        assert oembed(anonymous, url=url).status_code == 200, url
    refused = [
        f"{SITE}/claims/{draft.slug}/",
        f"{SITE}/claims/no-such-claim/",
        f"https://elsewhere.example/claims/{claim.slug}/",
        f"http://127.0.0.1:9999/claims/{claim.slug}/",
        f"{SITE}/claimants/nissan/",
        f"{SITE}/",
        f"javascript:alert(1)//{SITE}/claims/{claim.slug}/",
        "http://[::1",
        "",
    ]
    for url in refused:
        response = oembed(anonymous, url=url)
        assert response.status_code == 404, url
        assert "error" in json.loads(response.content)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self.in_head = True
        elif tag == "link" and self.in_head:
            self.links.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False


def test_each_claim_page_names_its_oembed_endpoint_in_its_head(anonymous, claim):
    parser = _Links()
    parser.feed(anonymous.get(claim.get_absolute_url()).content.decode())
    (link,) = [link for link in parser.links if link.get("type") == "application/json+oembed"]
    assert link["rel"] == "alternate" and link["title"] == claim.statement
    endpoint = urlsplit(link["href"])
    assert endpoint.path == "/oembed/"
    assert parse_qs(endpoint.query) == {"url": [f"{SITE}/claims/{claim.slug}/"], "format": ["json"]}
    found = anonymous.get(link["href"])
    assert found.status_code == 200 and json.loads(found.content)["type"] == "rich"


def test_the_claim_page_links_to_following_and_embedding(anonymous, claim):
    html = anonymous.get(claim.get_absolute_url()).content.decode()
    assert f'href="/follow/?claim={claim.slug}"' in html
    assert f'href="/claims/{claim.slug}/embed/"' in html
    claimant_page = anonymous.get(claim.claimant.get_absolute_url()).content.decode()
    assert 'href="/follow/?claimant=nissan"' in claimant_page
    assert 'href="/follow/"' in anonymous.get("/").content.decode()
