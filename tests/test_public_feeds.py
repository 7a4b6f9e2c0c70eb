"""The feed, the calendar, the sitemap and robots.txt, read by the clients that consume them."""

import datetime
from xml.etree import ElementTree  # our own output, not untrusted input

import feedparser
import icalendar
import pytest
import time_machine

from claims import services
from claims.models import Claim, Status
from tests.test_public_support import FROZEN_TODAY, build_sitemaps

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache", "frozen_day"), pytest.mark.django_db]


def test_feed_is_valid_atom_with_new_claims_and_status_changes(anonymous, demo, elena):
    claim = Claim.objects.get(slug="nissan-a-segment-ev-europe-2026")
    services.change_status(claim, Status.STALLED, by=elena, reason="Launch postponed")
    response = anonymous.get("/claims/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "factcheck newsroom: claims tracked"
    titles = [entry.title for entry in feed.entries]
    assert titles[0] == f"Stalled: {claim.statement}"  # newest first
    assert f"New claim: {claim.statement}" in titles
    assert len(feed.entries) == 10  # 9 claims published + 1 status change
    latest = feed.entries[0]
    assert latest.link == "http://127.0.0.1:8000/claims/nissan-a-segment-ev-europe-2026/"
    assert "Previously: In the works." in latest.summary
    assert latest.id.startswith("tag:127.0.0.1,2025:claim/")
    assert len({entry.id for entry in feed.entries}) == len(feed.entries)


def test_feed_escapes_what_editors_typed(anonymous, make_claim, chiara):
    claim = make_claim(statement='The <script>alert("x")</script> plant & co will open.', verdict="")
    services.publish(claim, by=chiara)
    body = anonymous.get("/claims/feed/").content
    feed = feedparser.parse(body)
    assert feed.bozo == 0
    assert feed.entries[0].title == 'New claim: The <script>alert("x")</script> plant & co will open.'
    assert b"<script>" not in body


def test_calendar_has_one_all_day_event_per_open_dated_published_claim(anonymous, demo):
    response = anonymous.get("/claims/deadlines.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = {str(event["URL"]): event for event in calendar.walk("VEVENT")}
    open_dated = Claim.objects.published().open().filter(deadline_end__isnull=False)
    assert len(events) == open_dated.count() == 4
    nissan = events["http://127.0.0.1:8000/claims/nissan-a-segment-ev-europe-2026/"]
    assert nissan.decoded("DTSTART") == datetime.date(2026, 12, 31)
    assert nissan.decoded("DTEND") == datetime.date(2027, 1, 1)
    claim = Claim.objects.get(slug="nissan-a-segment-ev-europe-2026")
    assert str(nissan["UID"]) == f"claim-{claim.pk}@127.0.0.1"
    assert str(nissan["SUMMARY"]).startswith("Deadline: Nissan: Nissan will launch a small A-segment electric car")
    assert "Deadline as written: by 2026" in str(nissan["DESCRIPTION"])
    assert all(line.endswith(b"\r") or not line for line in response.content.split(b"\n"))
    assert max(len(line) for line in response.content.split(b"\r\n")) <= 75


def test_calendar_uids_stay_the_same_when_a_claim_changes(anonymous, demo, elena):
    def uids():
        calendar = icalendar.Calendar.from_ical(anonymous.get("/claims/deadlines.ics").content)
        return {str(e["URL"]).rsplit("/", 2)[-2]: str(e["UID"]) for e in calendar.walk("VEVENT")}

    before = uids()
    claim = Claim.objects.get(slug="nissan-a-segment-ev-europe-2026")
    claim.statement = "Nissan will launch a small electric car in Europe by 2026."
    claim.deadline_end = datetime.date(2026, 11, 30)
    services.save_claim(claim, by=elena, reason="Clearer wording")
    after = uids()
    assert after == before


def test_calendar_text_is_escaped_and_folded(anonymous, make_claim, chiara):
    statement = "Prices will fall; by 10%, says the CEO \\ board, in " + "a very long sentence " * 6 + "— déjà vu."
    services.publish(make_claim(statement=statement), by=chiara)
    calendar = icalendar.Calendar.from_ical(anonymous.get("/claims/deadlines.ics").content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == f"Deadline: Nissan: {statement}"


def test_sitemap_lists_pages_published_claims_and_claimants(anonymous, demo):
    build_sitemaps()
    index = ElementTree.fromstring(anonymous.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    sections = [loc.text for loc in index.findall("s:sitemap/s:loc", ns)]
    assert sorted(s.rsplit("/", 1)[1] for s in sections) == [
        "sitemap-claimants.xml",
        "sitemap-claims.xml",
        "sitemap-pages.xml",
    ]
    claims = ElementTree.fromstring(anonymous.get("/sitemap-claims.xml").content)
    locations = [loc.text for loc in claims.findall("s:url/s:loc", ns)]
    assert len(locations) == 9
    assert "http://127.0.0.1:8000/claims/alpine-united-states/" in locations
    assert len(claims.findall("s:url/s:lastmod", ns)) == 9
    claimants = ElementTree.fromstring(anonymous.get("/sitemap-claimants.xml").content)
    assert len(claimants.findall("s:url", ns)) == 5


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_the_admin(anonymous, db):
    response = anonymous.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in lines


def test_the_sitemap_index_and_sections_use_the_canonical_address_whatever_the_host(anonymous, demo, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "evil.example"]
    build_sitemaps()
    for url in ["/sitemap.xml", "/sitemap-claims.xml"]:
        body = ElementTree.fromstring(anonymous.get(url, HTTP_HOST="evil.example").content)
        locations = [loc.text for loc in body.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
        assert locations and all(loc.startswith("http://127.0.0.1:8000/") for loc in locations), url


def published_dates(anonymous, claim):
    """The claim's sitemap lastmod and its calendar event's DTSTAMP and LAST-MODIFIED."""
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    build_sitemaps()  # as the worker does after each change
    sitemap = ElementTree.fromstring(anonymous.get("/sitemap-claims.xml").content)
    lastmod = next(
        url.find("s:lastmod", ns).text
        for url in sitemap.findall("s:url", ns)
        if url.find("s:loc", ns).text.endswith(f"/claims/{claim.slug}/")
    )
    calendar = icalendar.Calendar.from_ical(anonymous.get("/claims/deadlines.ics").content)
    event = next(event for event in calendar.walk("VEVENT") if str(event["UID"]).startswith(f"claim-{claim.pk}@"))
    return lastmod, event["DTSTAMP"].dt, event["LAST-MODIFIED"].dt


def test_dates_readers_see_do_not_move_with_internal_edits(anonymous, demo, elena, chiara, commit, public_cache):
    claim = Claim.objects.get(slug="nissan-a-segment-ev-europe-2026")
    before = published_dates(anonymous, claim)
    with time_machine.travel(FROZEN_TODAY + datetime.timedelta(days=2), tick=False):
        with commit():
            services.assign(claim, elena, by=chiara, reason="Yours")
            claim.notes = "Ask the press office."
            services.save_claim(claim, by=elena, reason="Note")
        public_cache.clear()  # render afresh: the dates themselves must not have moved
        assert published_dates(anonymous, claim) == before
        with commit():
            services.change_status(claim, Status.STALLED, by=elena, reason="Launch postponed")
        after = published_dates(anonymous, claim)
    assert after[0] > before[0] and after[1] > before[1] and after[2] == after[1]


# Characters XML 1.0 allows nowhere (PostgreSQL text cannot hold NUL, the others it stores).
NOT_IN_XML = "\x01\x08\x0b\x0c\x1b\x1f\ufffe"


def test_feed_stays_well_formed_whatever_editors_typed(anonymous, make_claim, chiara, system):
    """Markup, quotes and control characters in a statement, a claimant's name and a verdict."""
    name = f'<script>O\'Neil & "Sons"{NOT_IN_XML}</script>'
    claimant = services.get_or_create_claimant(name, by=system, reason="test")[0]
    statement = f'We\'ll <b>open</b> the "A&B" plant{NOT_IN_XML} by 2026.'
    verdict = f"It <i>opened</i> & 'ran'{NOT_IN_XML}."
    claim = make_claim(claimant=claimant, statement=statement, status=Status.FULFILLED, verdict=verdict)
    services.publish(claim, by=chiara)
    body = anonymous.get("/claims/feed/").content
    assert b"<script>" not in body and b"<b>" not in body

    feed = feedparser.parse(body)
    assert feed.bozo == 0, feed.get("bozo_exception")
    (entry,) = feed.entries
    assert entry.title == 'New claim: We\'ll <b>open</b> the "A&B" plant by 2026.'

    # A strict parser: the summary is HTML, so what editors typed is escaped once more inside it.
    root = ElementTree.fromstring(body)
    summary = root.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary")
    assert summary.get("type") == "html"
    assert summary.text == (
        "Claimant: &lt;script&gt;O&#x27;Neil &amp; &quot;Sons&quot;&lt;/script&gt;. Status: Fulfilled. "
        "Why: It &lt;i&gt;opened&lt;/i&gt; &amp; &#x27;ran&#x27;."
    )


def test_feed_without_entries_is_valid_atom(anonymous, db):
    response = anonymous.get("/claims/feed/")
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.entries == [] and feed.feed.updated_parsed
