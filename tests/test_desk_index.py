"""The desk's home page: what waits, counted, each count one click from a list showing exactly those claims."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from claims.admin.desk import desk_entries
from claims.models import Claim, Precision, Status
from claims.readers import tips

TODAY = datetime.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def desk(make_claim, elena, chiara, system):
    """Two overdue (one of them Elena's), one due in 3 days (a draft), one in 20, one undated, one closed."""
    make_claim(
        deadline_end=TODAY - datetime.timedelta(days=3),
        assignee=elena,
        published_at=datetime.datetime.now(datetime.UTC),
    )
    make_claim(deadline_end=TODAY - datetime.timedelta(days=40), published_at=datetime.datetime.now(datetime.UTC))
    make_claim(deadline_end=TODAY + datetime.timedelta(days=3), assignee=elena)
    make_claim(
        deadline_end=TODAY + datetime.timedelta(days=20),
        assignee=chiara,
        published_at=datetime.datetime.now(datetime.UTC),
    )
    make_claim(
        deadline_start=None,
        deadline_end=None,
        deadline_precision=Precision.NONE,
        deadline_text="",
        assignee=elena,
        published_at=datetime.datetime.now(datetime.UTC),
    )
    make_claim(
        status=Status.MISSED,
        deadline_end=TODAY - datetime.timedelta(days=10),
        assignee=elena,
        resolved_on=TODAY - datetime.timedelta(days=2),
        published_at=datetime.datetime.now(datetime.UTC),
    )
    tips.submit(statement="The mayor said so.", claimant="City")
    tips.submit(statement="The minister said so.", claimant="State")
    return {"overdue": 2, "due-7": 1, "mine": 3, "drafts": 1, "tips": 2}  # fmt: skip


def counts(html_or_entries):
    return {entry.key: entry.count for entry in html_or_entries}


def test_the_index_counts_what_waits_and_each_count_opens_its_list(client, elena, desk):
    client.force_login(elena)
    response = client.get(reverse("admin:index"))
    html = response.content.decode()
    entries = {entry.key: entry for entry in desk_entries(response.wsgi_request)}
    assert counts(entries.values()) == {
        "desk-overdue": 2, "desk-due-7": 1, "desk-mine": 3, "desk-drafts": 1, "awaiting-review": 0, "new-tips": 2,
        "desk-due-soon": None, "desk-intake": None,
    }  # fmt: skip
    for key in ("desk-overdue", "desk-due-7", "desk-mine", "desk-drafts"):
        entry = entries[key]
        assert f'href="{entry.url.replace("&", "&amp;")}"' in html, key
        listed = client.get(entry.url)
        assert listed.status_code == 200
        assert listed.context["cl"].result_count == entry.count, key  # the list shows what was counted
    tips_page = client.get(entries["new-tips"].url)
    assert tips_page.context["cl"].result_count == 2
    assert '<span class="badge" id="new-tips">2 new</span>' in html
    assert '<span class="badge" id="desk-overdue">2</span>' in html


def test_mine_counts_the_open_claims_of_whoever_looks(client, chiara, desk):
    client.force_login(chiara)
    response = client.get(reverse("admin:index"))
    assert counts(desk_entries(response.wsgi_request))["desk-mine"] == 1


def test_a_user_without_the_tips_inbox_sees_no_tips_entry(client, desk, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("vera", password="x", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_claim"))
    client.force_login(viewer)
    html = client.get(reverse("admin:index")).content.decode()
    assert 'id="desk-overdue"' in html and 'id="new-tips"' not in html and "desk-intake" not in html


# Session, user and its permissions (two), the six counts (overdue, due in 7 days, mine,
# drafts, reviews waiting, tips), and Django's recent actions box. Pinned: the home page must not grow a
# query per claim; an entry added to claims.admin.desk adds one here.
INDEX_QUERIES = 4 + 6 + 1


@pytest.mark.parametrize("extra_claims", [0, 20])
def test_the_index_query_count_is_pinned(client, elena, desk, make_claim, extra_claims, django_assert_num_queries):
    for _ in range(extra_claims):
        make_claim(deadline_end=TODAY - datetime.timedelta(days=1), assignee=elena)
    client.force_login(elena)
    with django_assert_num_queries(INDEX_QUERIES):
        assert client.get(reverse("admin:index")).status_code == 200


def test_the_open_filter_keeps_closed_claims_out(client, elena, desk):
    client.force_login(elena)
    listed = client.get(reverse("admin:claims_claim_changelist"), {"state": "closed"})
    assert [c.status for c in listed.context["cl"].result_list] == [Status.MISSED]
    assert Claim.objects.count() == 6
