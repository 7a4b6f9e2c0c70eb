"""What readers' browsers get: escaped text, a strict Content-Security-Policy, the usual headers."""

from html.parser import HTMLParser

import pytest

from claims import services
from claims.models import Precision, Status

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache"), pytest.mark.django_db]

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quoted"'
PAGES = ["/", "/claims/", "/claims/?q=hostile", "/claimants/evil-corp-script/", "/deadlines/"]


@pytest.fixture
def hostile_claim(make_claim, system, chiara):
    claimant = services.get_or_create_claimant("Evil Corp <script>", by=system, reason="test")[0]
    source = services.get_or_create_source(
        title=f"Story {HOSTILE}", url="https://news.example/hostile", publisher=HOSTILE, by=system, reason="test"
    )[0]
    claim = make_claim(
        statement=f"hostile statement {HOSTILE}",
        quote=HOSTILE,
        claimant=claimant,
        source=source,
        deadline_text=HOSTILE,
        verdict=HOSTILE,
        target_quantity=HOSTILE,
        target_comparator="<",
        target_value=10,
        target_unit="<b>",
    )
    undated = make_claim(
        statement=f"hostile undated {HOSTILE}", claimant=claimant, source=source, deadline_text=HOSTILE,
        deadline_start=None, deadline_end=None, deadline_precision=Precision.VAGUE,
    )  # fmt: skip
    services.publish(undated, by=chiara)
    services.add_update(claim, summary=HOSTILE, url="https://news.example/u", by=chiara)
    services.change_status(claim, Status.MISSED, by=chiara, reason="test")
    services.publish(claim, by=chiara)
    return claim


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, as a browser's parser sees them."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_what_editors_typed_is_shown_as_text(anonymous, hostile_claim):
    for url in PAGES + [hostile_claim.get_absolute_url()]:
        html = anonymous.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        if url != "/deadlines/":  # a closed claim has no upcoming deadline
            assert "Evil Corp &lt;script&gt;" in html, url
    page = anonymous.get(hostile_claim.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_pages_have_no_inline_script_or_style(anonymous, hostile_claim):
    for url in PAGES + [hostile_claim.get_absolute_url()]:
        tags = Tags(anonymous.get(url).content.decode()).tags
        scripts = [attrs for tag, attrs in tags if tag == "script"]
        assert all(attrs == {"type": "application/ld+json"} for attrs in scripts), url  # data blocks, never run
        assert not [tag for tag, _ in tags if tag == "style"], url
        for tag, attrs in tags:
            assert "style" not in attrs, (url, tag)
            assert not [name for name in attrs if name.startswith("on")], (url, tag, attrs)
            assert not (attrs.get("href") or "").lower().startswith("javascript:"), (url, tag)


def test_responses_carry_csp_and_security_headers(anonymous, hostile_claim):
    for url in PAGES + ["/claims/feed/", "/api/claims/"]:
        response = anonymous.get(url)
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "'unsafe-inline'" not in csp, url
        assert "frame-ancestors 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        # A cached copy keeps them too.
        assert anonymous.get(url)["Content-Security-Policy"] == csp


def test_cookies_are_not_set_for_anonymous_readers(anonymous, hostile_claim):
    for url in PAGES:
        assert not anonymous.get(url).cookies, url
