"""The card framed by another site in headless Chromium, and the readers' pages on a desk and a phone.

A page served on a second local port (another origin) frames the card and an ordinary
claim page: the card renders inside its frame, the ordinary page is refused by the
browser (X-Frame-Options: DENY, frame-ancestors 'none'). Screenshots of /suggest/, the
follow page and the card at 1280 and 390 px go to artifacts/screenshots/ (ignored by git).
"""

import http.server
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from claims import services
from claims.models import Claim, Precision, Status
from tests.conftest import CHROMIUM_ARGS

pytest_plugins = ["tests.test_public_support", "tests.test_readers_support"]
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("public_cache")]

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
STATEMENT = "Acme will open 12 stores in Lyon and Marseille by the end of 2027."


@pytest.fixture
def site(live_server, transactional_db, system):
    claimant, _ = services.get_or_create_claimant("Acme Retail", by=system, reason="test")
    source, _ = services.get_or_create_source(
        title="Acme's plans", url="https://news.example/acme", by=system, reason="t"
    )
    claim = Claim(
        statement=STATEMENT, claimant=claimant, source=source, deadline_text="by the end of 2027",
        deadline_end=timezone.localdate().replace(year=2027, month=12, day=31), deadline_precision=Precision.YEAR,
        status=Status.IN_PROGRESS, published_at=timezone.now(),
    )  # fmt: skip
    services.save_claim(claim, by=system, reason="test")
    return live_server.url, claim.slug


@pytest.fixture
def other_site(site):
    """Another origin (127.0.0.1 on a second port; the live server is on localhost) whose page frames two of ours."""
    url, slug = site
    page = (
        "<!doctype html><html><head><title>A partner's article</title></head><body>"
        "<h1>A partner's article</h1>"
        f'<iframe id="card" src="{url}/claims/{slug}/embed/" width="480" height="260" title="card"></iframe>'
        f'<iframe id="ordinary" src="{url}/claims/{slug}/" width="480" height="260" title="page"></iframe>'
        "</body></html>"
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's hook name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser(site, chromium_path):
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"readers-{name}.png", full_page=True)


def test_another_site_frames_the_card_but_not_an_ordinary_page(browser, site, other_site):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    for visit in ("first (rendered)", "again (from the page cache)"):
        page.goto(other_site, wait_until="load")
        card = page.locator("#card").element_handle().content_frame()
        card.wait_for_selector(".card-statement")
        assert card.locator(".card-statement").inner_text() == STATEMENT, visit
        assert card.locator(".status").inner_text() == "In the works", visit
        assert card.locator(".card-facts").inner_text().count("Acme Retail") == 1, visit

        ordinary = page.locator("#ordinary").element_handle().content_frame()
        assert STATEMENT not in ordinary.content(), visit
        assert ordinary.url.startswith("chrome-error://") or ordinary.locator("h1").count() == 0, visit
        context.clear_cookies()
    assert any("frame-ancestors" in text or "X-Frame-Options" in text for text in refused), refused
    shot(page, "framed-by-another-site")
    context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_the_readers_pages(browser, site, width):
    url, slug = site
    context = browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width < 500)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    for name, path in [
        ("suggest", "/suggest/"),
        ("follow", f"/follow/?claim={slug}"),
        ("card", f"/claims/{slug}/embed/"),
    ]:
        page.goto(url + path)
        # Nothing sticks out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (name, width)
        shot(page, f"{name}-{width}")
    page.goto(url + "/suggest/")
    assert not page.locator(".hp").is_visible() or page.locator(".hp").bounding_box()["x"] < 0
    page.get_by_label("What was claimed").fill("The mayor promised 500 homes by 2028.")
    page.get_by_label("Who made it").fill("City of Example")
    page.get_by_role("button", name="Send the tip").click()
    page.wait_for_url("**/suggest/thanks/")
    assert page.get_by_role("heading", name="Thank you for your tip").is_visible()
    assert problems == [], problems
    context.close()
