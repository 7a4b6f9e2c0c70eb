"""The claim list as a desk reads it: statements that fit, the status as readers see it, undated claims last."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings

from claims.models import Precision, Status

LIST = "/admin/claims/claim/"


@pytest.fixture
def claims(make_claim):
    undated = make_claim(deadline_start=None, deadline_end=None, deadline_precision=Precision.NONE, deadline_text="")
    early = make_claim(deadline_end=datetime.date(2026, 1, 31))
    late = make_claim(deadline_end=datetime.date(2027, 6, 30), status=Status.STALLED)
    return undated, early, late


def listed(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [claim.pk for claim in response.context["cl"].result_list]


def test_undated_claims_come_after_dated_ones_whichever_way_the_deadline_sorts(client, elena, claims):
    undated, early, late = claims
    client.force_login(elena)
    column = 4  # statement, claimant, status, deadline (1-based after the checkbox)
    assert listed(client) == [early.pk, late.pk, undated.pk]  # the list's own order: by deadline
    assert listed(client, o=str(column)) == [early.pk, late.pk, undated.pk]
    assert listed(client, o=f"-{column}") == [late.pk, early.pk, undated.pk]


def test_the_status_is_shown_in_the_public_sites_words_and_colours(client, elena, claims):
    client.force_login(elena)
    html = client.get(LIST).content.decode()
    assert '<span class="status status--stalled">Stalled</span>' in html
    assert "public/status.css" in html and "desk/desk.css" in html


def test_the_desks_status_colours_are_the_public_sites(db):
    static = Path(settings.BASE_DIR) / "static" / "public"
    colours = re.compile(r"--status-(\w+):\s*(#[0-9a-f]{6})")
    desk = dict(colours.findall((static / "status.css").read_text()))
    site = dict(colours.findall((static / "site.css").read_text()))
    assert set(desk) == set(Status.values)
    assert desk == {status: colour for status, colour in site.items() if status in desk}


def test_the_statement_column_gets_room_and_the_model_sidebar_is_gone(client, elena, claims):
    client.force_login(elena)
    html = client.get(LIST).content.decode()
    assert 'id="nav-sidebar"' not in html  # the sidebar of every model left statements ~60 px wide
    css = (Path(settings.BASE_DIR) / "static" / "desk" / "desk.css").read_text()
    assert re.search(r"\.column-short_statement \{ min-width: 16rem", css)


def test_the_deadline_column_writes_dates_for_a_newsroom(client, elena, claims):
    client.force_login(elena)
    html = client.get(LIST).content.decode()
    assert "by 2026 (31 January 2026)" in html and "2026-01-31" not in html
    assert "no date given" in html
