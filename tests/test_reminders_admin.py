"""The workbench side of reminders: the read-only inline and the "Due soon" page."""

# Fixtures imported from test_reminders_support are used as test arguments, which ruff reads as redefinitions.
# ruff: noqa: F811

import datetime

import pytest
import time_machine
from django.urls import reverse

from claims.models import Status
from claims.reminders.sweep import sweep
from tests.test_reminders_schedule import at
from tests.test_reminders_support import change_form

D = datetime.date
TODAY = D(2026, 11, 26)
DUE_SOON = "/admin/claims/claim/due-soon/"


@pytest.fixture
def travel():
    with time_machine.travel(at(TODAY), tick=False) as traveller:
        yield traveller


def test_the_claim_page_shows_its_reminders_read_only(client, make_claim, elena, travel):
    claim = make_claim(assignee=elena, deadline_end=D(2026, 12, 20))
    sweep()
    client.force_login(elena)
    page = client.get(f"/admin/claims/claim/{claim.pk}/change/").content.decode()
    assert "Reminders (written by the reminder sweep; read-only)" in page
    for shown in ("Upcoming (-30 d)", "Upcoming (-7 d)", "Due today (+0 d)", "Overdue (+7 d)", "sent", "pending"):
        assert shown in page
    for field in ("attempts", "last_error", "sent_at", "recipient"):
        assert f'name="reminders-0-{field}"' not in page, "reminder fields are not editable"


def test_a_posted_claim_form_never_changes_reminders(client, make_claim, elena, travel):
    claim = make_claim(assignee=elena, deadline_end=D(2026, 12, 20))
    row = claim.reminders.get(offset_days=-7)
    client.force_login(elena)
    tampered = {"reminders-TOTAL_FORMS": 1, "reminders-INITIAL_FORMS": 1, "reminders-0-id": row.pk,
                "reminders-0-attempts": 99, "reminders-0-last_error": "edited"}  # fmt: skip
    response = client.post(
        f"/admin/claims/claim/{claim.pk}/change/", change_form(claim, notes="Called them", **tampered)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert (row.attempts, row.last_error) == (0, "")
    claim.refresh_from_db()
    assert claim.notes == "Called them"


def test_a_new_claim_form_has_no_reminders_inline(client, elena):
    client.force_login(elena)
    assert "Reminders (written" not in client.get("/admin/claims/claim/add/").content.decode()


def test_due_soon_lists_overdue_and_next_30_days_the_editors_own_first(
    client, make_claim, elena, chiara, travel, django_assert_num_queries
):
    mine_late = make_claim(slug="mine-late", assignee=elena, deadline_end=D(2026, 11, 1))
    mine_soon = make_claim(slug="mine-soon", assignee=elena, deadline_end=D(2026, 12, 10))
    theirs_late = make_claim(slug="theirs-late", assignee=chiara, deadline_end=D(2026, 11, 20))
    nobodys = make_claim(slug="nobodys", deadline_end=D(2026, 12, 26))
    make_claim(slug="later", assignee=elena, deadline_end=D(2026, 12, 27))
    make_claim(slug="closed", assignee=elena, deadline_end=D(2026, 11, 2), status=Status.MISSED)
    make_claim(slug="undated", assignee=elena, deadline_start=None, deadline_end=None, deadline_precision="none")
    client.force_login(elena)
    # Session, user, the user's permissions (2, for the sidebar), the user's claims, everyone else's.
    with django_assert_num_queries(6):
        response = client.get(DUE_SOON)
    assert response.status_code == 200
    sections = {key: [item.claim for item in items] for _, key, items in response.context["sections"]}
    assert sections == {"yours": [mine_late, mine_soon], "others": [theirs_late, nobodys]}
    page = response.content.decode()
    assert page.index('id="due-soon-yours"') < page.index('id="due-soon-others"')
    for text in ("overdue by 25 days", "14 days left", "overdue by 6 days", "30 days left"):
        assert text in page


def test_due_soon_escapes_what_editors_typed(client, make_claim, elena, travel):
    make_claim(statement="<script>alert('x')</script> will happen", assignee=elena, deadline_end=D(2026, 12, 1))
    client.force_login(elena)
    page = client.get(DUE_SOON).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page and "<script>alert" not in page


def test_due_soon_is_for_the_desk_only(client, rita, django_user_model):
    assert reverse("admin:claims_claim_due_soon") == DUE_SOON
    client.force_login(rita)
    response = client.get(DUE_SOON)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    staff_without_claims = django_user_model.objects.create_user("intern", is_staff=True)
    client.force_login(staff_without_claims)
    assert client.get(DUE_SOON).status_code == 403


def test_the_desk_home_links_to_due_soon(client, elena):
    client.force_login(elena)
    assert f'href="{DUE_SOON}"' in client.get("/admin/").content.decode()
