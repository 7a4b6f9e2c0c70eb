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
