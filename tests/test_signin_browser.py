"""Two-factor sign-in in a real browser: a chief editor enrols, then signs in again with a backup code.

Drives Debian's Chromium through Playwright against the live test server. Screenshots of the
enrolment page at 1280 and 390 px, the backup codes and the code step go to artifacts/.
"""

import base64
from pathlib import Path

import pytest
from django.db import connections
from django_otp.oath import totp

from claims.models import Claim
from tests.conftest import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture
def browser(live_server, chromium_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        connections.close_all()  # the connection Playwright's event loop used, or the test database cannot be dropped


def sign_in(page, base, username):
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")


def test_a_chief_editor_enrols_and_signs_in_again_with_a_backup_code(browser, live_server, chiara, settings):
    settings.REQUIRE_2FA = "staff"
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    refused = []  # what the Content-Security-Policy blocked

    def note_refusal(message):
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", note_refusal)

    sign_in(page, live_server.url, "chiara")
    page.wait_for_selector("#enrol-form")  # the desk sent her to enrolment
    assert page.locator("img.signin-qr").evaluate("img => img.complete && img.naturalWidth > 100")
    page.screenshot(path=str(ARTIFACTS / "signin-enrol-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "signin-enrol-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"

    secret = page.get_attribute("#totp-secret", "data-secret")
    page.fill("#id_code", f"{totp(base64.b32decode(secret)):06d}")
    page.click("#enrol-form input[type=submit]")
    page.wait_for_selector("#backup-codes")
    codes = page.locator("#backup-codes code").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=str(ARTIFACTS / "signin-backup-codes-390.png"), full_page=True)
    page.click("text=I have kept them; continue")
    page.wait_for_selector("#desk-shortcuts")

    page.click("#logout-form button")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "chiara")
    page.wait_for_selector("#verify-form")
    page.screenshot(path=str(ARTIFACTS / "signin-verify-1280.png"), full_page=True)
    page.fill("#id_code", codes[3])
    page.click("#verify-form input[type=submit]")
    page.wait_for_selector("#desk-shortcuts")
    assert "9 left" in page.inner_text(".messagelist")
    assert not refused, refused
    assert Claim.objects.count() == 0  # nothing else happened on the way
