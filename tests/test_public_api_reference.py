"""The API reference page (/api/docs/): Swagger UI served by us, under the site's strict CSP.

Screenshots go to artifacts/screenshots/ (ignored by git) for review.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import CHROMIUM_ARGS

pytest_plugins = ["tests.test_public_support"]

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"


@pytest.mark.django_db
def test_the_page_is_cached_asks_nothing_of_the_database_and_loads_only_our_own_files(
    anonymous, public_cache, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = anonymous.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html and "style=" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all('src="/static/' in attributes for attributes in scripts), "no inline script"
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == [
        "/static/public/site.css",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    ]
    assert 'data-schema-url="/api/schema/?format=json"' in html
    assert 'href="/api/schema/" download="factcheck-openapi.yaml"' in html
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe" not in policy
    with django_assert_num_queries(0):
        again = anonymous.get("/api/docs/")
    assert again.content == response.content and again["ETag"] == response["ETag"]


@pytest.mark.django_db
def test_every_public_page_links_the_reference_beside_the_description(anonymous, public_cache):
    html = anonymous.get("/").content.decode()
    assert '<a href="/api/docs/">reference</a>' in html
    assert '<a href="/api/schema/" download="factcheck-openapi.yaml">OpenAPI description</a>' in html


@pytest.fixture
def site(live_server, transactional_db):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    return live_server.url


@pytest.mark.browser
@pytest.mark.usefixtures("public_cache")
def test_a_developer_reads_the_reference_and_tries_the_list_without_a_csp_violation(site, chromium_path):
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            context = chromium.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            problems, elsewhere = [], []
            page.on("console", lambda message: message.type in ("error", "warning") and problems.append(message.text))
            page.on("pageerror", lambda error: problems.append(str(error)))
            site_host = urlsplit(site).netloc
            page.on("request", lambda r: urlsplit(r.url).netloc != site_host and elsewhere.append(r.url))
            # Added by the browser itself, so the page's policy does not apply to it.
            page.add_init_script(
                "document.addEventListener('securitypolicyviolation', e => "
                "(window.violations = window.violations || []).push(e.violatedDirective + ' ' + e.blockedURI));"
            )

            page.goto(site + "/api/docs/")
            operation = page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/claims/$"))
            operation.wait_for(timeout=15000)
            assert page.locator(".info .title").inner_text().startswith("factcheck API")
            operation.click()
            page.get_by_role("button", name="Try it out").click()
            page.get_by_role("button", name="Execute").click()
            page.locator(".live-responses-table .response-col_status", has_text="200").wait_for(timeout=15000)
            assert "example-motors" in page.locator(".live-responses-table .highlight-code").first.inner_text()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / "public-api-reference.png", full_page=True)

            assert page.evaluate("window.violations || []") == []
            assert not [text for text in problems if "Content Security Policy" in text or "Refused" in text]
            assert not problems, problems
            assert elsewhere == [], "everything comes from this site"
            icon = page.request.get(site + "/favicon.ico")
            assert icon.ok and icon.headers["content-type"] == "image/svg+xml"
        finally:
            chromium.close()
