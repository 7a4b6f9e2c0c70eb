"""The public pages show readers what was promised, by whom, by when, and what became of it."""

import datetime
import re

import pytest

from claims import services
from claims.models import Status

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache", "frozen_day"), pytest.mark.django_db]


def text(response_or_html) -> str:
    """The page as a reader sees it: tags dropped, whitespace squeezed."""
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(response, heading_id: str) -> str:
    """The text of the <section> labelled by the heading with this id."""
    html = response.content.decode()
    start = html.index(f'aria-labelledby="{heading_id}"')
    return text(html[start : html.index("</section>", start)])


def test_overview_counts_claims_by_status_and_lists_what_is_due_overdue_and_resolved(anonymous, demo):
    response = anonymous.get("/")
    assert response.status_code == 200
    page = text(response)
    assert "Claims tracked 9" in page
    assert "Not yet rated 5" in page and "Missed 1" in page and "Fulfilled late 1" in page
    due = section(response, "due-heading")
    assert "Nissan will launch a small A-segment electric car" in due and "35 days left" in due
    overdue = section(response, "overdue-heading")
    assert "second battery plant" in overdue and "Overdue by 57 days" in overdue
    resolved = section(response, "resolved-heading")
    assert resolved.index("battery pack cost") < resolved.index("1,000 electric vans")  # newest outcome first
    assert '<svg class="chart"' in response.content.decode()


def test_claim_page_shows_deadline_target_outcome_and_timeline(anonymous, demo):
    response = anonymous.get("/claims/example-motors-pack-cost-under-100-usd-kwh/")
    assert response.status_code == 200
    page = text(response)
    assert "Example Motors will bring its battery pack cost below 100 USD per kWh" in page
    assert "Deadline as written “in the first half of 2026”" in page
    assert "Deadline as a date 30 June 2026 (end of the stated half-year; precision: half-year)" in page
    assert "Target battery pack cost: less than 100 USD/kWh" in page
    assert "Actual value 118 USD/kWh — target not met" in page
    assert "Our verdict: Missed" in page and "118 USD per kWh" in page
    timeline = section(response, "timeline-heading")
    assert timeline.index("20 January 2025 Claim made by Example Motors") < timeline.index(
        "28 July 2026 Update Missed Half-year report"
    )
    assert '<a href="/claimants/example-motors-demo/">Example Motors (demo)</a>' in response.content.decode()


def test_claim_page_timeline_tells_status_changes_readers_saw(anonymous, make_claim, chiara, elena):
    claim = make_claim(statement="The bridge will reopen by 2026.")
    services.publish(claim, by=chiara)
    services.change_status(claim, Status.IN_PROGRESS, by=elena, reason="Works started (internal call with PR)")
    services.add_update(claim, summary="Steel deck delivered.", date=datetime.date(2026, 10, 1), by=elena)
    claim.deadline_text, claim.deadline_end = "by mid-2027", datetime.date(2027, 6, 30)
    services.save_claim(claim, by=elena, reason="Deadline moved by the city")
    response = anonymous.get(claim.get_absolute_url())
    page, timeline = text(response), section(response, "timeline-heading")
    assert "Added to the tracker Not yet rated" in timeline
    assert "Status changed In the works Was “Not yet rated”." in timeline
    assert "1 October 2026 Update Steel deck delivered." in timeline
    assert "Deadline changed From “by 2026” to “by mid-2027”." in timeline
    assert "internal call" not in page  # editors' reasons stay internal


def test_claim_list_filters_by_status_claimant_year_and_overdue(anonymous, demo):
    def statements(query):
        response = anonymous.get("/claims/" + query)
        assert response.status_code == 200
        return re.findall(r'class="claim-item-statement"><a href="/claims/([^/]+)/"', response.content.decode())

    assert len(statements("")) == 9
    assert statements("?status=missed") == ["example-motors-pack-cost-under-100-usd-kwh"]
    assert set(statements("?status=closed")) == {
        "example-motors-pack-cost-under-100-usd-kwh",
        "example-motors-1000-vans-2025",
    }
    assert set(statements("?claimant=ampere")) == {
        "ampere-cobalt-free-batteries-2028",
        "ampere-recharge-under-15-minutes-2028",
    }
    assert statements("?year=2025") == ["example-motors-1000-vans-2025"]
    assert statements("?overdue=1") == ["example-motors-second-battery-plant"]
    assert statements("?q=cobalt recharge") == ["ampere-recharge-under-15-minutes-2028"]
    assert statements("?q=alpine") == ["alpine-united-states"]  # the claimant's name is searched too
    by_deadline = statements("?sort=deadline")
    assert by_deadline[0] == "example-motors-1000-vans-2025" and by_deadline[-3:] != by_deadline[:3]
    assert set(by_deadline[-3:]) == {
        "renault-twingo-hatch-under-20000-eur",
        "nissan-city-car-below-micra",
        "alpine-united-states",
    }  # undated claims last


def test_claim_list_says_how_many_match_when_known(anonymous, demo):
    # Counting is left to the track record, or to the last page (which shows every match).
    assert "Showing 1–9 of 9 claims." in text(anonymous.get("/claims/"))
    anonymous.get("/")
    assert "Showing 1–9 of 9 claims." in text(anonymous.get("/claims/?sort=newest"))
    assert "Showing 1–1 of 1 claim." in text(anonymous.get("/claims/?status=missed"))
    assert "Showing 1–2 of 2 claims." in text(anonymous.get("/claims/?claimant=ampere"))


def test_claim_list_pages_without_counting(anonymous, make_claim, chiara):
    for n in range(27):
        services.publish(make_claim(statement=f"Promise {n:02d}"), by=chiara)
    first = anonymous.get("/claims/?sort=deadline&status=pending")
    assert "Showing 1–25" in text(first)
    # The filters in the list's canonical order (claims.public_cache.keep_parameters), whatever order was asked.
    assert 'rel="next" href="?status=pending&amp;sort=deadline&amp;page=2"' in first.content.decode()
    second = anonymous.get("/claims/?sort=deadline&status=pending&page=2")
    assert "Showing 26–27" in text(second) and 'rel="next"' not in second.content.decode()
    assert anonymous.get("/claims/?page=3").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?status=maybe", "Status: Select a valid choice"),
        ("?year=twenty", "Deadline year: Enter a whole number"),
        ("?year=99999", "Deadline year: Ensure this value is less than or equal to 2200"),
        ("?sort=random", "Sort: Select a valid choice"),
        ("?page=abc", "“abc” is not a page number"),
        ("?page=0", "Pages are numbered from 1"),
        ("?page=5000", "Pages beyond 1000 are not served"),
    ],
)
def test_claim_list_explains_bad_input(anonymous, demo, query, message):
    response = anonymous.get("/claims/" + query)
    assert response.status_code == 400
    assert message in text(response)
    assert 'role="alert"' in response.content.decode()


def test_claimant_page_shows_the_track_record(anonymous, demo):
    response = anonymous.get("/claimants/example-motors-demo/")
    assert response.status_code == 200
    page = text(response)
    assert "Claims tracked 3" in page and "Still open 1 (1 overdue)" in page
    assert "Fulfilled on time 0% 0 of 2" in page and "Late or missed 100% 2 of 2" in page
    assert "Median delay when late 43 days" in page  # 31 Dec 2025 to 12 Feb 2026
    assert '<svg class="chart"' in response.content.decode() and "End of month" in page
    claims = section(response, "claims-heading")
    assert claims.index("1,000 electric vans") < claims.index("battery pack cost") < claims.index("battery plant")


def test_deadlines_page_groups_open_claims_by_month(anonymous, demo):
    page = text(anonymous.get("/deadlines/"))
    assert page.index("December 2026") < page.index("Nissan will launch a small") < page.index("December 2028")
    assert page.index("December 2028") < page.index("Ampere will introduce cobalt-free batteries")
    assert "second battery plant" not in page  # overdue, not upcoming
    assert "battery pack cost" not in page  # closed


def test_unknown_pages_answer_404(anonymous, demo):
    assert anonymous.get("/claims/no-such-claim/").status_code == 404
    assert anonymous.get("/claimants/no-such-claimant/").status_code == 404


def test_every_page_links_its_stylesheet_and_no_external_origin(anonymous, demo):
    for url in ["/", "/claims/", "/claims/alpine-united-states/", "/claimants/alpine/", "/deadlines/"]:
        html = anonymous.get(url).content.decode()
        assert '<link rel="stylesheet" href="/static/public/site.css">' in html
        # Links to sources are fine; nothing is loaded from another origin (no CDN).
        assert not re.search(r'<(script|img|iframe|link)[^>]+(src|href)="(https?:)?//', html), url


def test_an_empty_register_reads_well(anonymous, db):
    for url in ["/", "/claims/", "/deadlines/", "/api/claims/", "/claims/feed/", "/claims/deadlines.ics"]:
        assert anonymous.get(url).status_code == 200, url
    page = text(anonymous.get("/"))
    assert "Claims tracked 0" in page and "No claims to chart yet." in page
    assert "No open claim is past its deadline." in page and "No claim has an outcome yet." in page
    assert "No published claim matches these filters." in text(anonymous.get("/claims/"))
