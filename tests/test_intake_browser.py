"""Intake in a real browser: an editor pastes the Nissan story and keeps its claims in one step.

Drives Debian's Chromium through Playwright against the live test server; screenshots
of the review and the result go to artifacts/ for a person to look at.
"""

from pathlib import Path

import pytest
from django.db import connections

from claims.models import Claim, Source
from tests.conftest import CHROMIUM_ARGS

# The live server needs committed rows (conftest's roles_after_flush puts the roles back).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
STORY = (ROOT / "tests" / "intake_data" / "nissan_twingo_article.txt").read_text(encoding="utf-8")
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture
def page(live_server, chromium_path, monkeypatch):
    """A browser page, closed before the live server stops (so no request thread keeps a connection)."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()
        # Queries made while Playwright's event loop runs use their own connection (Django keys
        # connections by async context); close it, or the test database cannot be dropped.
        connections.close_all()


def test_an_editor_keeps_the_storys_claims_in_one_step(page, live_server, elena):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/intake/")
    page.fill("#id_username", "elena")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.fill("#id_article-title", "Nissan's Twingo-based city car and Ampere's batteries")
    page.fill("#id_article-url", "https://news.example/nissan-twingo")
    page.fill("#id_article-publisher", "Daily Example")
    page.fill("#id_article-published_on", "2025-05-15")
    page.fill("#id_article-text", STORY)
    page.click("text=Find claims")
    page.wait_for_selector("#intake-review")
    assert page.locator("fieldset.intake-candidate").count() == 5
    assert page.input_value("#id_candidates-3-deadline_end") == "2028-12-31"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "intake-review.png"), full_page=True)
    page.locator("#candidate-3").screenshot(path=str(ARTIFACTS / "intake-candidate.png"))

    for checkbox in page.locator("input[name$='-keep']").all():
        checkbox.check()
    page.click("text=Keep the ticked candidates")
    page.wait_for_selector("text=Kept 5 draft claim(s)")
    page.screenshot(path=str(ARTIFACTS / "intake-saved.png"), full_page=True)
    assert Source.objects.count() == 1
    assert Claim.objects.drafts().filter(source__url="https://news.example/nissan-twingo").count() == 5


def test_a_claimant_edited_on_the_review_page_is_checked_for_duplicates_again(page, live_server, elena, source):
    """The bug: an edited claimant was not matched again, so an exact copy of a claim was saved."""
    from claims import services

    by = services.system_user()
    group, _ = services.get_or_create_claimant("Renault Group", by=by, reason="test fixture")
    existing = services.save_claim(
        Claim(
            statement="Renault's Twingo-based budget hatch aims for a starting price under 20,000 EUR.",
            claimant=group,
            source=source,
        ),
        by=by,
        reason="test fixture",
    )
    page.goto(f"{live_server.url}/admin/login/?next=/admin/intake/")
    page.fill("#id_username", "elena")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.fill("#id_article-title", "Nissan's Twingo-based city car")
    page.fill("#id_article-url", "https://news.example/nissan-twingo")
    page.fill("#id_article-published_on", "2025-05-15")
    page.fill("#id_article-text", STORY)
    page.click("text=Find claims")
    page.wait_for_selector("#intake-review")
    renault = page.locator("fieldset.intake-candidate", has_text="budget hatch")
    assert renault.locator("input[name$='-claimant']").input_value() == "Renault"
    assert renault.locator(".intake-duplicates").is_hidden()  # "Renault" has no claims yet

    renault.locator("input[name$='-claimant']").fill("Renault Group")
    renault.locator("input[name$='-claimant']").dispatch_event("change")
    duplicates = renault.locator(".intake-duplicates")
    duplicates.wait_for(state="visible")
    assert duplicates.locator("a.duplicate-link").inner_text().startswith("Renault's Twingo-based budget hatch")
    assert duplicates.locator(".duplicate-similarity").inner_text() == "100"
    # At 95% or more the page proposes a further appearance, not a new claim.
    assert duplicates.locator(f"input[type=radio][value='{existing.pk}']").is_checked()
    assert not duplicates.locator("input[type=radio][value='']").is_checked()
    ARTIFACTS.mkdir(exist_ok=True)
    renault.screenshot(path=str(ARTIFACTS / "intake-duplicate.png"))

    for checkbox in page.locator("input[name$='-keep']").all():
        checkbox.check()
    page.click("text=Keep the ticked candidates")
    page.wait_for_selector("text=1 further appearance(s) of existing claims")
    assert Claim.objects.filter(claimant=group).count() == 1  # no copy of the existing claim
    assert existing.appearances.get().source.url == "https://news.example/nissan-twingo"
    assert Claim.objects.count() == 5  # the existing claim and four new ones
