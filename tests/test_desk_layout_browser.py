"""Every page of the desk and of the public site, on a phone (390 px) and a desk (1280 px), in headless Chromium.

An editor (a chief editor, who sees the Publish button) opens every admin page of the
claims app; a reader opens every public page. None may scroll sideways:
``document.documentElement.scrollWidth <= window.innerWidth``. Screenshots of each page
at both widths go to artifacts/screenshots/desk-*.png (ignored by git), for a person to
look at. One browser, one tab per persona, reused from page to page.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from claims import services
from claims.models import Claim, ReaderTip, Source, Update
from claims.readers import tips
from claims.reminders.sweep import sweep
from tests.conftest import CHROMIUM_ARGS, make_user

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("public_cache")]

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"
WIDTHS = (390, 1280)
STORY = (
    "Nissan's new city car will go on sale in Europe by the end of 2026, the company said on Thursday. "
    "Renault promised a starting price under 20,000 euros for its Twingo. "
    "Ampere expects to cut charging time to less than 15 minutes by 2028."
)


@pytest.fixture
def site(live_server, transactional_db, chiara, system, django_user_model):
    """The demo register, with what each desk page has to show: a tip, reminders, a history of several versions."""
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    claim = Claim.objects.get(slug="nissan-a-segment-ev-europe-2026")
    claim.assignee = chiara
    services.save_claim(claim, by=chiara, reason="Mine to follow up")
    services.add_update(claim, summary="Renault confirmed the price range at a press event.", by=chiara)
    sweep()
    # Carlo has an authenticator app: signing in, he is asked for its code (the verify page).
    carlo = make_user(django_user_model, "carlo", groups=["Editors", "Chief editors"])
    TOTPDevice.objects.create(user=carlo, name="app", confirmed=True)
    tips.submit(
        statement="The mayor promised a new tram line to the airport by 2030, at a cost under 400 million euros.",
        claimant="City of Example", url="https://news.example/a-very-long-address/that-goes/on-and-on/tram-2030",
    )  # fmt: skip
    # A draft sent for publication by Carlo waits for review (the two-person rule's page).
    draft = services.save_claim(
        Claim(statement="Example Motors will open a battery plant in Spain by 2028.", claimant=claim.claimant,
              source=claim.source, deadline_text="by 2028"),
        by=chiara, reason="From the desk's layout test",
    )  # fmt: skip
    review = services.request_review(draft, by=carlo, reason="Checked against the press release", publish=True)
    return {
        "base": live_server.url,
        "claim": claim,
        "review": review.pk,
        "version": claim.history.order_by("history_id").first().history_id,
        "tip": ReaderTip.objects.get().pk,
        "update": Update.objects.filter(claim=claim).first().pk,
        "source": Source.objects.first().pk,
    }


@pytest.fixture
def browser(site, chromium_path, monkeypatch):
    from playwright import sync_api

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        connections.close_all()


def check_layout(page, name: str) -> list[str]:
    """Screenshots at both widths; what scrolls sideways, as messages."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            wide = page.evaluate(WIDEST_ELEMENTS)
            problems.append(f"{name} at {width}px scrolls sideways by {overflow}px: {wide}")
        page.screenshot(path=SCREENSHOTS / f"desk-{name}-{width}.png", full_page=True)
    return problems


# The elements reaching furthest right, to say what overflows.
WIDEST_ELEMENTS = """() => {
  const limit = window.innerWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > limit + 1)
    .slice(-3).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.'));
}"""


def admin_pages(site) -> list[tuple[str, str]]:
    claim = site["claim"]
    change = reverse("admin:claims_claim_change", args=[claim.pk])
    pages = [
        ("index", reverse("admin:index")),
        ("claims", reverse("admin:claims_claim_changelist")),
        ("claims-by-deadline-desc", reverse("admin:claims_claim_changelist") + "?o=-4"),
        ("claims-filtered", reverse("admin:claims_claim_changelist") + "?deadline=overdue&state=open"),
        ("claim-add", reverse("admin:claims_claim_add")),
        ("claim-change", change),
        ("claim-history", reverse("admin:claims_claim_history", args=[claim.pk])),
        ("claim-version", reverse("admin:claims_claim_simple_history", args=[claim.pk, site["version"]])),
        ("due-soon", reverse("admin:claims_claim_due_soon")),
        ("intake", reverse("intake:start")),
        ("tips", reverse("admin:claims_readertip_changelist")),
        ("tip", reverse("admin:claims_readertip_change", args=[site["tip"]])),
        ("claimants", reverse("admin:claims_claimant_changelist")),
        ("claimant", reverse("admin:claims_claimant_change", args=[claim.claimant_id])),
        ("sources", reverse("admin:claims_source_changelist")),
        ("source", reverse("admin:claims_source_change", args=[site["source"]])),
        ("updates", reverse("admin:claims_update_changelist")),
        ("update", reverse("admin:claims_update_change", args=[site["update"]])),
        ("readers", reverse("admin:claims_reader_changelist")),
        ("signin", reverse("signin:overview")),
        ("signin-enrol", reverse("signin:enrol")),
    ]
    pages += [
        ("reviews", reverse("admin:claims_review_changelist")),
        ("review", reverse("admin:claims_review_change", args=[site["review"]])),
        ("methodology-text", reverse("admin:claims_methodologytext_changelist")),
        ("webhooks", reverse("admin:claims_webhookendpoint_changelist")),
        ("webhook-add", reverse("admin:claims_webhookendpoint_add")),
        ("webhook-deliveries", reverse("admin:claims_webhookdelivery_changelist")),
        ("claims-import", reverse("admin:claims_claim_import")),
    ]
    return pages


def public_pages(site) -> list[tuple[str, str]]:
    claim = site["claim"]
    return [
        ("overview", "/"),
        ("claims", "/claims/"),
        ("claims-filtered", "/claims/?status=in_progress"),
        ("claim", f"/claims/{claim.slug}/"),
        ("claim-resolved", "/claims/example-motors-pack-cost-under-100-usd-kwh/"),
        ("claimant", f"/claimants/{claim.claimant.slug}/"),
        ("deadlines", "/deadlines/"),
        ("corrections", "/corrections/"),
        ("methodology", "/methodology/"),
        ("data", "/data/"),
        ("suggest", "/suggest/"),
        ("follow", "/follow/"),
        ("embed", f"/claims/{claim.slug}/embed/"),
    ]


def test_every_desk_page_fits_a_phone_and_a_desk(browser, site):
    base = site["base"]
    admin_list = admin_pages(site)  # reversed before the browser's loop runs
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{base}/admin/login/?next=/admin/")
    problems = check_layout(page, "login")
    page.fill("#id_username", "chiara")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_selector("#desk-shortcuts")
    for name, path in admin_list:
        response = page.goto(base + path)
        assert response.status == 200, f"{name} ({path}): {response.status}"
        problems += check_layout(page, name)

    # The intake's review of candidates, and a page with a refused (stale) form.
    page.goto(base + reverse("intake:start"))
    page.fill("#id_article-title", "City cars and batteries")
    page.fill("#id_article-url", "https://news.example/city-cars")
    page.fill("#id_article-published_on", "2025-05-15")
    page.fill("#id_article-text", STORY)
    page.click("text=Find claims")
    page.wait_for_selector("#intake-review")
    problems += check_layout(page, "intake-review")
    context.close()

    # The second step of signing in, for someone with an authenticator app.
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", "carlo")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_selector("#verify-form")
    problems += check_layout(page, "signin-verify")
    context.close()
    assert not problems, "\n".join(problems)
    assert not errors, errors


def test_every_public_page_fits_a_phone_and_a_desk(browser, site):
    """As a reader (from the page cache), then as a signed-in editor (past it)."""
    base = site["base"]
    problems = []
    for persona in ("reader", "editor"):
        context = browser.new_context(viewport={"width": 390, "height": 900})
        page = context.new_page()
        if persona == "editor":
            page.goto(f"{base}/admin/login/?next=/admin/")
            page.fill("#id_username", "chiara")
            page.fill("#id_password", "correct horse battery")
            page.click("input[type=submit]")
            page.wait_for_selector("#desk-shortcuts")
        for name, path in public_pages(site):
            response = page.goto(base + path)
            assert response.status == 200, f"{name} ({path}) as {persona}: {response.status}"
            problems += check_layout(page, f"public-{persona}-{name}")
        context.close()
    assert not problems, "\n".join(problems)


def test_the_desk_index_leads_to_its_lists_in_one_click(browser, site):
    base = site["base"]
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", "chiara")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_selector("#desk-shortcuts")
    overdue = int(page.inner_text("#desk-overdue"))
    assert overdue >= 1  # the demo has an overdue claim
    page.click("#desk-overdue-entry a")
    page.wait_for_url(re.compile(r"deadline=overdue"))
    assert page.locator("#result_list tbody tr").count() == overdue
    context.close()
