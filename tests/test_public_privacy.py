"""Drafts appear nowhere public, and internal notes, assignees and reasons never do."""

import datetime

import pytest

from claims import services
from claims.models import Status
from tests.test_public_support import build_sitemaps

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache"), pytest.mark.django_db]

PUBLIC_URLS = [
    "/",
    "/claims/",
    "/claims/?status=pending",
    "/claims/?q=merge rival",
    "/claims/?claimant=nissan",
    "/claimants/nissan/",
    "/deadlines/",
    "/claims/feed/",
    "/claims/deadlines.ics",
    "/api/claims/",
    "/api/claims/?q=merge",
    "/sitemap.xml",
    "/sitemap-claims.xml",
    "/sitemap-claimants.xml",
    "/robots.txt",
]


@pytest.fixture
def published_and_draft(make_claim, chiara, elena):
    published = make_claim(
        statement="Nissan will open a public showroom by 2026.",
        notes="INTERNAL-NOTE: the CEO's office asked us to wait",
        assignee=elena,
    )
    services.publish(published, by=chiara)
    draft = make_claim(
        statement="SECRETDRAFT Nissan will merge with a rival by 2026.",
        slug="secret-merger",
        notes="INTERNAL-NOTE: source is a board member",
        deadline_end=datetime.date(2026, 12, 30),
    )
    return published, draft


def everything_public(client) -> dict[str, str]:
    build_sitemaps()  # as the worker does after each change
    pages = {}
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    published = client.get("/claims/nissan-will-open-a-public-showroom-by-2026/")
    pages["claim page"] = published.content.decode()
    pages["claim api"] = client.get("/api/claims/nissan-will-open-a-public-showroom-by-2026/").content.decode()
    return pages


def test_a_draft_appears_nowhere_public(anonymous, published_and_draft):
    published, draft = published_and_draft
    pages = everything_public(anonymous)
    for url, body in pages.items():
        assert "SECRETDRAFT" not in body, url
        assert "secret-merger" not in body, url
    # The published claim is there, so the absence above means something.
    for url in ["/claims/", "/claims/feed/", "/claims/deadlines.ics", "/api/claims/", "/sitemap-claims.xml"]:
        assert published.slug in pages[url], url


def test_a_draft_url_answers_404(anonymous, published_and_draft):
    _published, draft = published_and_draft
    assert anonymous.get(draft.get_absolute_url()).status_code == 404
    assert anonymous.get(f"/api/claims/{draft.slug}/").status_code == 404


def test_a_claimant_with_only_drafts_does_not_exist_publicly(anonymous, make_claim, system):
    claimant = services.get_or_create_claimant("Hidden Corp", by=system, reason="test")[0]
    make_claim(claimant=claimant)
    assert anonymous.get("/claimants/hidden-corp/").status_code == 404
    assert "Hidden Corp" not in anonymous.get("/claims/").content.decode()
    build_sitemaps()
    sitemap = anonymous.get("/sitemap-claimants.xml")
    assert sitemap.status_code == 200 and "hidden-corp" not in sitemap.content.decode()


def test_notes_assignees_and_reasons_never_appear(anonymous, published_and_draft, elena):
    published, _draft = published_and_draft
    services.change_status(published, Status.STALLED, by=elena, reason="REASON-INTERNAL call with the press office")
    for url, body in everything_public(anonymous).items():
        assert "INTERNAL-NOTE" not in body, url
        assert "REASON-INTERNAL" not in body, url
        assert "elena" not in body.lower(), url
        assert "newsroom.example" not in body, url  # the editors' email domain
        assert '"notes"' not in body and '"assignee"' not in body, url


def test_unpublishing_hides_a_claim_again(anonymous, published_and_draft, chiara):
    published, _draft = published_and_draft
    assert anonymous.get(published.get_absolute_url()).status_code == 200
    services.unpublish(published, by=chiara)
    assert anonymous.get(published.get_absolute_url()).status_code == 404
    assert published.slug not in anonymous.get("/claims/feed/").content.decode()
    assert published.slug not in anonymous.get("/api/claims/").content.decode()


def test_states_a_claim_had_as_a_draft_stay_out_of_its_timeline_and_feed(anonymous, make_claim, chiara, elena):
    claim = make_claim(statement="The tram line will open by 2026.")
    services.change_status(claim, Status.STALLED, by=elena, reason="draft thinking")
    services.change_status(claim, Status.IN_PROGRESS, by=elena, reason="draft thinking again")
    services.publish(claim, by=chiara)
    services.unpublish(claim, by=chiara)
    hidden = {"by": elena, "reason": "while hidden", "resolved_on": datetime.date(2026, 6, 1)}
    services.change_status(claim, Status.WITHDRAWN, **hidden)
    services.change_status(claim, Status.MISSED, **hidden)
    services.publish(claim, by=chiara)
    response = anonymous.get(claim.get_absolute_url())
    timeline = response.content.decode().split('id="timeline-heading"')[1].split("</section>")[0]
    assert "Stalled" not in timeline and "Withdrawn" not in timeline
    assert "In the works" in timeline and "Missed" in timeline
    feed = anonymous.get("/claims/feed/").content.decode()
    assert "Stalled" not in feed and "Withdrawn" not in feed
    assert "Missed" in feed
