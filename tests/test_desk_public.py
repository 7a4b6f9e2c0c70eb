"""Small things readers notice: a heading that follows the filters, years from the data, one wording, one font."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import services
from claims.models import Claim, Precision, Status
from tests.test_public_pages import text

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache")]

D = datetime.date


def heading(response) -> str:
    return re.search(r"<h1>(.*?)</h1>", response.content.decode()).group(1)


def test_the_list_heading_and_count_follow_the_filters(anonymous, demo):
    in_the_works = Claim.objects.published().filter(status=Status.IN_PROGRESS).count()
    page = anonymous.get("/claims/?status=in_progress")
    assert heading(page) == f"In the works: {in_the_works} claim{'s' if in_the_works != 1 else ''}"
    assert f"Showing 1–{in_the_works} of {in_the_works} claim" in text(page)
    assert f"<title>In the works: {in_the_works}" in page.content.decode()
    assert heading(anonymous.get("/claims/")) == "All 9 claims"
    assert heading(anonymous.get("/claims/?claimant=ampere")) == "Matching your filters: 2 claims"
    assert heading(anonymous.get("/claims/?status=closed")).startswith("With an outcome: ")
    assert heading(anonymous.get("/claims/?q=nothing-like-this")) == "Matching your filters: 0 claims"


def test_the_deadline_years_are_those_of_the_published_claims(anonymous, demo, commit, chiara):
    years = re.findall(r'<option value="(\d{4})"', anonymous.get("/claims/").content.decode())
    dated = Claim.objects.published().exclude(deadline_end=None)
    first, last = min(c.deadline_end.year for c in dated), max(c.deadline_end.year for c in dated)
    assert years == [str(year) for year in range(first, last + 1)]
    with CaptureQueriesContext(connection) as cached:
        anonymous.get("/claims/?status=missed")  # another page: the choices come from the public cache
    assert not [q for q in cached.captured_queries if "MIN(" in q["sql"].upper()]
    claim = Claim.objects.published().open().exclude(deadline_end=None).first()
    claim.deadline_end, claim.deadline_text = D(2035, 6, 30), "by mid-2035"
    with commit():
        services.save_claim(claim, by=chiara, reason="The company moved it")
    years = re.findall(r'<option value="(\d{4})"', anonymous.get("/claims/?sort=deadline").content.decode())
    assert years[-1] == "2035"  # a change of the register is seen at once
    assert '<option value="1999" selected>' in anonymous.get("/claims/?year=1999").content.decode()


def test_one_wording_for_no_date_and_quotes_never_doubled(anonymous, make_claim, chiara, commit):
    with commit():
        undated = make_claim(deadline_start=None, deadline_end=None, deadline_precision=Precision.VAGUE,
                             deadline_text="“soon”", quote='"we will do it soon"')  # fmt: skip
        services.publish(undated, by=chiara)
    page = text(anonymous.get(f"/claims/{undated.slug}/"))
    assert "“soon”" in page and "““" not in page and "””" not in page
    assert "no date given" in page and "Vague (no date)" not in page and "No deadline" not in page
    listing = text(anonymous.get("/claims/"))
    assert "“soon” (no date given)" in listing or "“soon” ( no date given )" in listing


def test_due_between_replaces_window(anonymous, make_claim, chiara, commit):
    with commit():
        claim = services.publish(make_claim(deadline_start=D(2025, 5, 15), deadline_end=D(2026, 12, 31)), by=chiara)
    page = text(anonymous.get(f"/claims/{claim.slug}/"))
    assert "Window" not in page and "Due between 15 May 2025 and 31 December 2026" in page


def test_one_font_stack_for_buttons_selects_and_text():
    css = (Path(settings.BASE_DIR) / "static" / "public" / "site.css").read_text()
    sans = css[: css.index("{", css.index("h1, h2, h3"))]
    assert all(element in sans for element in ("button", "select", "input", "textarea"))
    assert "font: inherit" not in css  # which gave inputs the serif of the text around them
    assert css.count("font-family: var(--sans)") >= 4 and "system-ui, sans-serif" not in css


def test_added_to_the_tracker_stands_where_it_happened(anonymous, make_claim, chiara, commit):
    """Published at 09:00, then an update the same afternoon: the update comes after, not before."""
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        with commit():
            claim = services.publish(make_claim(), by=chiara)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC), tick=False):
        with commit():
            services.add_update(claim, summary="The plant broke ground.", date=D(2026, 11, 20), by=chiara)
    page = text(anonymous.get(f"/claims/{claim.slug}/"))
    timeline = page[page.index("Timeline") :]
    assert timeline.index("Added to the tracker") < timeline.index("The plant broke ground.")


def test_a_status_change_carries_its_public_explanation(anonymous, make_claim, chiara, commit):
    with commit():
        claim = services.publish(make_claim(), by=chiara)
    claim.refresh_from_db()
    with commit():
        services.change_status(claim, Status.STALLED, by=chiara, reason="Checked", verdict="The site is closed.")
    page = text(anonymous.get(f"/claims/{claim.slug}/"))
    timeline = page[page.index("Timeline") :]
    assert "Status changed Stalled Was “Not yet rated”. The site is closed." in timeline
    feed = anonymous.get("/claims/feed/").content.decode()
    assert "Previously: Not yet rated. Why: The site is closed." in feed
