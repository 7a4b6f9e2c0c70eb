"""The record, counts and chart block is rendered once per change of the register and kept with the record."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from claims import public_cache, services
from claims.models import Claim, Status
from claims.views.data import SITE_RECORD, record_block, site_record

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache", "frozen_day"), pytest.mark.django_db]

BLOCK = {"record_heading": "The record so far", "chart_title": "Status of all claims", "link_base": "/claims/?"}


def fulfilled_count(html: str) -> str:
    row = html.split('class="status status--fulfilled"')[1]
    return row.split('<td class="num">')[1].split("<")[0]


def test_readers_see_the_new_counts_after_a_write_even_with_the_page_cache_off(
    anonymous, demo, chiara, commit, settings
):
    settings.PUBLIC_CACHE_SECONDS = 0  # every request renders; only the block is kept
    before = fulfilled_count(anonymous.get("/").content.decode())
    assert public_cache.peek(f"{SITE_RECORD}:html") is not None  # kept for the next reader
    claim = Claim.objects.get(slug="alpine-united-states")
    with commit():
        services.change_status(claim, Status.FULFILLED, by=chiara, reason="On sale", resolved_on=claim.deadline_end)
    after = fulfilled_count(anonymous.get("/").content.decode())
    assert int(after) == int(before) + 1


def test_a_block_drawn_from_a_previous_record_is_not_kept(demo, chiara, commit):
    request = RequestFactory().get("/")
    record = site_record(request)
    request.public_cache_stale_data = True  # as remember() marks a request served the previous value
    html = record_block(request, SITE_RECORD, record, **BLOCK)
    assert "status-counts" in html
    assert public_cache.peek(f"{SITE_RECORD}:html", request=request) is None
    assert not cache.get(public_cache.data_key(f"{SITE_RECORD}:html"))


def test_user_text_in_the_block_is_escaped(demo):
    request = RequestFactory().get("/")
    html = record_block(
        request, SITE_RECORD, site_record(request), **{**BLOCK, "record_heading": "<script>alert(1)</script>"}
    )
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
