"""The two-person rule in headless Chromium: a chief approves an editor's request from the review list; it is public."""

import pytest
from django.db import connections

from claims import services
from claims.models import Review
from tests.conftest import CHROMIUM_ARGS, make_user

# The live server needs committed rows (conftest's roles_after_flush puts the roles back).
pytestmark = [pytest.mark.browser, pytest.mark.review_rule, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(live_server, chromium_path, monkeypatch, settings):
    from playwright.sync_api import sync_playwright

    settings.REQUIRE_2FA = "none"  # the sign-in's second factor is tested in test_signin_*; here, the review
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        connections.close_all()


def test_a_chief_approves_an_editors_publication_from_the_review_list(browser, live_server, make_claim, elena, chiara):
    claim = make_claim(statement="Nissan will open a battery plant in Sunderland by 2027.")
    services.request_review(claim, by=elena, reason="Two sources, reply received", publish=True)

    reader = browser.new_page()
    assert reader.goto(f"{live_server.url}/claims/{claim.slug}/").status == 404

    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    desk.goto(f"{live_server.url}/admin/login/?next=/admin/")
    desk.fill("#id_username", chiara.username)
    desk.fill("#id_password", "correct horse battery")
    desk.click("input[type=submit]")
    assert desk.inner_text("#awaiting-review") == "1 waiting"
    desk.click("text=Awaiting review")
    desk.click("text=Nissan will open a battery plant in Sunderland by 2027.")
    assert "Two sources, reply received" in desk.inner_text("#content-main")
    assert "yes, at once" in desk.inner_text("#review-diff")
    desk.fill("#id_comment", "Checked both sources.")
    desk.click("button[value=approve]")
    desk.wait_for_selector("text=is now public as proposed")

    assert Review.objects.get().state == Review.State.APPROVED
    response = reader.goto(f"{live_server.url}/claims/{claim.slug}/")
    assert response.status == 200
    assert reader.inner_text("h1") == "Nissan will open a battery plant in Sunderland by 2027."


def test_the_same_chief_sees_no_buttons_on_their_own_request(browser, live_server, make_claim, django_user_model):
    marco = make_user(django_user_model, "marco", groups=["Editors", "Chief editors"])
    review = services.request_review(make_claim(), by=marco, reason="Mine", publish=True)
    desk = browser.new_page()
    desk.goto(f"{live_server.url}/admin/login/?next=/admin/claims/review/{review.pk}/change/")
    desk.fill("#id_username", "marco")
    desk.fill("#id_password", "correct horse battery")
    desk.click("input[type=submit]")
    assert "a chief editor other than you approves or returns it" in desk.inner_text("#content-main")
    assert desk.locator("button[value=approve]").count() == 0
