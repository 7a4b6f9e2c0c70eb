"""A reader in headless Chromium: overview, filtering, a claim, its claimant, keyboard use, small screens.

Screenshots of each page are kept under artifacts/screenshots/ (ignored by git) for review.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import CHROMIUM_ARGS

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("public_cache")]

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"


@pytest.fixture
def site(live_server, transactional_db):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    return live_server.url


@pytest.fixture
def browser(site, chromium_path):
    """Debian's Chromium driven by Playwright; started after the database work (its loop must not see the ORM)."""
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"public-{name}.png", full_page=True)


def test_a_reader_goes_from_the_overview_to_a_claimant(page, site):
    page.goto(site + "/")
    assert page.title().startswith("What was promised")
    assert page.get_by_role("heading", name="The record so far").is_visible()
    assert page.locator("svg.chart").is_visible()
    shot(page, "overview")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="All claims").click()
    page.get_by_label("Status").select_option("missed")
    page.get_by_role("button", name="Show claims").click()
    page.wait_for_url(re.compile(r"status=missed"))
    items = page.locator(".claim-item")
    assert items.count() == 1
    assert "battery pack cost below 100 USD" in items.first.inner_text()
    assert page.get_by_label("Status").input_value() == "missed"  # the form remembers the filter
    shot(page, "claims-filtered")

    items.first.get_by_role("link", name=re.compile("battery pack cost")).click()
    page.wait_for_url(re.compile(r"/claims/example-motors-pack-cost-under-100-usd-kwh/$"))
    assert page.locator("h1").inner_text().startswith("Example Motors will bring its battery pack cost")
    assert page.locator(".claim-status .status").inner_text() == "Missed"  # status in words, not colour alone
    assert page.get_by_role("heading", name="Timeline").is_visible()
    shot(page, "claim")

    page.locator(".claim-byline").get_by_role("link", name="Example Motors (demo)").click()
    page.wait_for_url(re.compile(r"/claimants/example-motors-demo/$"))
    assert page.locator("h1").inner_text() == "Example Motors (demo): track record"
    assert page.locator(".claim-item").count() == 3
    shot(page, "claimant")

    page.goto(site + "/deadlines/")
    assert page.get_by_role("heading", name="December 2026").is_visible()
    shot(page, "deadlines")
    assert page.problems == []  # no CSP violation, no script error, no missing file


def test_the_keyboard_reaches_the_filters_in_order(page, site):
    page.goto(site + "/claims/")
    focused = []
    for _ in range(16):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert focused[0] == "Skip to content"
    order = ["f-q", "f-status", "f-claimant", "f-year", "f-sort", "f-overdue"]
    positions = [focused.index(field) for field in order]
    assert positions == sorted(positions)
    # A reader can filter without a mouse, and sees where the keyboard is.
    page.goto(site + "/claims/")
    while page.evaluate("document.activeElement.id") != "f-q":
        page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.type("cobalt")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=cobalt"))
    assert page.locator(".claim-item").count() == 2


def test_pages_fit_a_phone_screen(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    for path in ["/", "/claims/", "/claims/example-motors-1000-vans-2025/", "/claimants/ampere/", "/deadlines/"]:
        page.goto(site + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        shot(page, "phone-" + (path.strip("/").replace("/", "-") or "overview"))
    context.close()
