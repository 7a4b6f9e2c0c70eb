"""A claim's page in the desk: its reminders nearest first, and a slug made from the statement."""

import datetime
import re

import pytest
import time_machine

from claims.models import Claim
from claims.reminders.sweep import sweep
from tests.test_register_history import admin_form_data

D = datetime.date


@pytest.fixture
def travel():
    with time_machine.travel(datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        yield traveller


def test_reminders_are_listed_nearest_first_without_the_claims_name(client, make_claim, elena, travel):
    claim = make_claim(assignee=elena, deadline_end=D(2026, 12, 20))
    sweep()  # the -30 day reminder (20 November) is sent; -7, 0 and +7 wait
    client.force_login(elena)
    page = client.get(f"/admin/claims/claim/{claim.pk}/change/").content.decode()
    table = page[page.index('class="desk-stack reminders"') :]
    table = table[: table.index("</table>")]
    points = re.findall(r'data-label="Point">([^<]+)</th>', table)
    assert points == ["Upcoming (-7 d)", "Due today (+0 d)", "Overdue (+7 d)", "Upcoming (-30 d)"]
    assert "13 December 2026, 00:00 UTC" in table
    assert claim.statement[:30] not in table


def test_the_add_form_fills_the_slug_from_the_statement(client, elena, claimant, source):
    client.force_login(elena)
    page = client.get("/admin/claims/claim/add/").content.decode()
    assert (
        "data-prepopulated-fields=" in page and "&quot;#id_statement&quot;" in page
    )  # Django's script, as for claimants
    data = admin_form_data(
        Claim(statement="Acme will open 12 stores by 2027.", claimant=claimant, source=source, deadline_text="",
              deadline_precision="none"),
        slug="", opened_version="",
    )  # fmt: skip
    response = client.post("/admin/claims/claim/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Claim.objects.get().slug == "acme-will-open-12-stores-by-2027"
