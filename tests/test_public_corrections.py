"""Corrections readers can see, and takedowns that reach every public copy.

Elena corrects a published claim; the claim's page says so with the date and the
explanation, the feed carries a "Correction" entry and /corrections/ lists it. A claim
whose wording is changed (a name taken down for legal reasons) or that is unpublished
leaves no trace of the old text in any public copy: feed, calendar, sitemap, API, claim
and claimant pages, including what was cached before the change.
"""

import datetime
import json
import re

import feedparser
import icalendar
import pytest
from django.core.exceptions import ValidationError

from claims import services
from claims.models import Claim, FeedEntry, historical_claim_model
from claims.sitemaps import refresh
from tests.html_forms import post_form
from tests.test_public_support import build_sitemaps

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache", "frozen_day"), pytest.mark.django_db]

NAMED = "Nissan's chief executive, Jane Roe, promised a city car in Europe by 2026."
UNNAMED = "Nissan's chief executive promised a city car in Europe by 2026."


@pytest.fixture
def published(make_claim, chiara, commit):
    with commit():
        claim = make_claim(statement=NAMED, deadline_end=datetime.date(2026, 12, 31))
        services.publish(claim, by=chiara)
    return Claim.objects.get(pk=claim.pk)


def change_page(client, user, claim):
    client.force_login(user)
    url = f"/admin/claims/claim/{claim.pk}/change/"
    return url, post_form(client.get(url).content.decode())


def test_a_correction_in_the_admin_is_dated_on_the_page_in_the_feed_and_in_the_log(
    client, anonymous, published, elena, commit
):
    url, form = change_page(client, elena, published)
    with commit():
        response = client.post(
            url, form.data(statement=UNNAMED, change_reason="We had named the wrong executive.", is_correction="on")
        )
    assert response.status_code == 302
    row = historical_claim_model().objects.filter(id=published.pk).order_by("-history_id").first()
    assert (row.feed_entry, row.correction, row.history_user) == (
        FeedEntry.CORRECTION, "We had named the wrong executive.", elena,
    )  # fmt: skip
    client.logout()

    page = anonymous.get(published.get_absolute_url()).content.decode()
    assert "Corrected on <time" in page and "26 November 2026" in page and "We had named the wrong executive." in page

    feed = feedparser.parse(anonymous.get("/claims/feed/").content)
    assert feed.bozo == 0
    assert feed.entries[0].title == f"Correction: {UNNAMED}"
    assert "We had named the wrong executive." in feed.entries[0].summary

    log = anonymous.get("/corrections/")
    assert log.status_code == 200
    text = log.content.decode()
    assert "We had named the wrong executive." in text and published.get_absolute_url() in text
    assert "Jane Roe" not in text
    assert 'href="/corrections/"' in anonymous.get("/").content.decode(), "the footer links to the log"


def test_a_draft_cannot_be_corrected_only_edited(client, make_claim, elena):
    draft = make_claim()
    url, form = change_page(client, elena, draft)
    response = client.post(url, form.data(statement="Reworded.", change_reason="Typo", is_correction="on"))
    assert response.status_code == 200 and "Only a published claim can be corrected" in response.content.decode()
    with pytest.raises(ValidationError, match="Only a published claim"):
        services.save_claim(Claim.objects.get(pk=draft.pk), by=elena, reason="Typo", correction="Typo")
    assert Claim.objects.get(pk=draft.pk).statement == draft.statement


def test_correcting_a_timeline_update_corrects_its_claim(client, anonymous, published, elena, commit, system):
    with commit():
        update = services.add_update(published, summary="Prototype shown in Pari", by=system)
    client.force_login(elena)
    url = f"/admin/claims/update/{update.pk}/change/"
    form = post_form(client.get(url).content.decode())
    with commit():
        response = client.post(
            url,
            form.data(summary="Prototype shown in Paris", change_reason="The city was misspelt.", is_correction="on"),
        )
    assert response.status_code == 302
    page = anonymous.get(published.get_absolute_url()).content.decode()
    assert "The city was misspelt." in page and "Prototype shown in Paris" in page
    assert re.search(r"timeline-entry--correction.*?The city was misspelt\.", page, re.S)


def test_corrections_through_the_services_are_listed_newest_first(anonymous, published, make_claim, chiara, commit):
    other = make_claim()
    with commit():
        services.publish(other, by=chiara)
        services.save_claim(published, by=chiara, reason="First fix", correction="First fix.")
    with commit():
        other.verdict = "Checked."
        services.save_claim(other, by=chiara, reason="Second fix", correction="Second fix.")
    text = anonymous.get("/corrections/").content.decode()
    assert text.index("Second fix.") < text.index("First fix.")


def _public_copies(anonymous, claim) -> dict[str, str]:
    """Every public place a claim's words can be read, as readers' tools read them."""
    feed = feedparser.parse(anonymous.get("/claims/feed/").content)
    calendar = icalendar.Calendar.from_ical(anonymous.get("/claims/deadlines.ics").content)
    events = " ".join(
        str(event.get("SUMMARY", "")) + str(event.get("DESCRIPTION", "")) for event in calendar.walk("VEVENT")
    )
    api_list = json.loads(anonymous.get("/api/claims/").content)
    api_detail = anonymous.get(f"/api/claims/{claim.slug}/")
    build_sitemaps()  # as the worker does once the change commits (never in a request)
    sitemap = anonymous.get("/sitemap-claims.xml").content.decode()
    return {
        "feed": " ".join(entry.title + entry.summary for entry in feed.entries),
        "calendar": events,
        "api list": json.dumps(api_list),
        "api detail": api_detail.content.decode() if api_detail.status_code == 200 else "",
        "sitemap": sitemap,
        "claim page": anonymous.get(claim.get_absolute_url()).content.decode(),
        "claimant page": anonymous.get(claim.claimant.get_absolute_url()).content.decode(),
        "list": anonymous.get("/claims/").content.decode(),
        "overview": anonymous.get("/").content.decode(),
        "corrections": anonymous.get("/corrections/").content.decode(),
    }


def test_a_name_taken_down_leaves_every_public_copy_at_once(anonymous, published, chiara, commit):
    before = _public_copies(anonymous, published)  # read, and cached, with the name
    assert all("Jane Roe" in before[place] for place in ("feed", "calendar", "api list", "claim page", "claimant page"))
    with commit():
        published.statement = UNNAMED
        services.save_claim(published, by=chiara, reason="Legal: name removed")
    after = _public_copies(anonymous, published)
    assert {place: "Jane Roe" in text for place, text in after.items()} == dict.fromkeys(after, False)
    assert "chief executive promised a city car" in after["feed"] and "chief executive promised" in after["claim page"]


def test_an_unpublished_claim_leaves_every_public_copy_at_once(anonymous, published, chiara, commit):
    with commit():
        services.save_claim(published, by=chiara, reason="Fix", correction="A fix.")
    before = _public_copies(anonymous, published)
    assert published.slug in before["sitemap"] and "A fix." in before["corrections"]
    with commit():
        services.unpublish(published, by=chiara, reason="Legal hold")
    after = _public_copies(anonymous, published)
    assert anonymous.get(published.get_absolute_url()).status_code == 404
    assert {place: ("Jane Roe" in text or published.slug in text) for place, text in after.items()} == dict.fromkeys(
        after, False
    )
    assert "A fix." not in after["corrections"]


def test_a_takedown_queues_a_sitemap_build_at_once(published, chiara, commit, settings, monkeypatch):
    """Other changes queue a build at most once per PUBLIC_SITEMAP_SECONDS; a takedown always does."""
    settings.PUBLIC_REFRESH_IN_BACKGROUND = True
    queued = []
    monkeypatch.setattr("claims.tasks.build_sitemaps.apply_async", lambda *args, **options: queued.append(options))
    assert refresh.ask_for_build() and len(queued) == 1  # a change queued a build just now
    with commit():
        published.verdict = "Checked."
        services.save_claim(published, by=chiara, reason="Verdict")
    assert len(queued) == 1  # picked up by beat's run
    with commit():
        services.unpublish(published, by=chiara, reason="Legal hold")
    assert len(queued) == 2
