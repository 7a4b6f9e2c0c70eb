"""The editors' workbench: roles, actions, filters, speed."""

import csv
import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection

from claims import services
from claims.models import Claim, Status


def action(client, name, claims, **extra):
    data = {"action": name, "_selected_action": [c.pk for c in claims], **extra}
    return client.post("/admin/claims/claim/", data)


def test_roles_exist_with_the_right_permissions(db):
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    chiefs = set(Group.objects.get(name="Chief editors").permissions.values_list("codename", flat=True))
    assert {"add_claim", "change_claim", "add_update", "change_source"} <= editors
    assert not {"delete_claim", "publish_claim"} & editors
    assert {"delete_claim", "publish_claim"} <= chiefs


def test_an_editor_cannot_publish(client, make_claim, elena):
    claim = make_claim()
    client.force_login(elena)
    page = client.get("/admin/claims/claim/").content.decode()
    assert "publish_selected" not in page
    response = action(client, "publish_selected", [claim])
    claim.refresh_from_db()
    assert claim.published_at is None
    assert response.status_code in (200, 302)


def test_an_editor_cannot_publish_through_the_service(make_claim, elena):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.publish(make_claim(), by=elena)


def test_an_editor_cannot_delete(client, make_claim, elena):
    claim = make_claim()
    client.force_login(elena)
    assert client.get(f"/admin/claims/claim/{claim.pk}/delete/").status_code == 403
    assert client.post(f"/admin/claims/claim/{claim.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_a_chief_editor_publishes_and_deletes(client, make_claim, chiara):
    claim, other = make_claim(), make_claim()
    client.force_login(chiara)
    action(client, "publish_selected", [claim])
    claim.refresh_from_db()
    assert claim.published_at is not None
    record = claim.history.order_by("-history_id").first()
    assert record.history_user == chiara and "Published" in record.history_change_reason

    response = client.post(f"/admin/claims/claim/{other.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Claim.objects.filter(pk=other.pk).exists()
    deletion = Claim.history.filter(id=other.pk, history_type="-").get()
    assert deletion.history_user == chiara and deletion.history_change_reason == "Deleted in the admin"


def test_a_non_staff_user_is_sent_to_the_login_page(client, rita):
    client.force_login(rita)
    response = client.get("/admin/claims/claim/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_assign_to_me(client, make_claim, elena):
    claim = make_claim()
    client.force_login(elena)
    action(client, "assign_to_me", [claim])
    claim.refresh_from_db()
    assert claim.assignee == elena
    assert claim.history.order_by("-history_id").first().history_user == elena


def test_export_csv_streams_the_selected_claims(client, make_claim, elena):
    claim = make_claim(target_quantity="price", target_comparator="<", target_value=20000, target_unit="EUR")
    make_claim(statement='=HYPERLINK("http://evil.example")')
    client.force_login(elena)
    response = action(client, "export_csv", Claim.objects.all())
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["slug"] for row in rows} == set(Claim.objects.values_list("slug", flat=True))
    exported = next(row for row in rows if row["slug"] == claim.slug)
    assert exported["status_label"] == "Not yet rated" and exported["target_value"].startswith("20000")
    assert any(row["statement"].startswith("'=HYPERLINK") for row in rows), "formulas must be neutralised"


@pytest.mark.parametrize(
    ("window", "expected"),
    [("overdue", {"late"}), ("7", {"this-week"}), ("30", {"this-week", "this-month"}), ("none", {"undated"})],
)
def test_deadline_window_filter(client, make_claim, elena, window, expected):
    with time_machine.travel(datetime.datetime(2026, 11, 26, 12, tzinfo=datetime.UTC), tick=False):
        make_claim(slug="late", deadline_end=datetime.date(2026, 11, 1))
        make_claim(slug="this-week", deadline_end=datetime.date(2026, 11, 30))
        make_claim(slug="this-month", deadline_end=datetime.date(2026, 12, 20))
        make_claim(slug="undated", deadline_start=None, deadline_end=None, deadline_precision="none")
        make_claim(slug="closed-late", deadline_end=datetime.date(2026, 11, 1), status=Status.MISSED)
        client.force_login(elena)
        response = client.get("/admin/claims/claim/", {"deadline": window})
    shown = {c.slug for c in response.context["cl"].result_list}
    assert shown == expected


def test_mine_filter_and_days_left_column(client, make_claim, elena, chiara):
    with time_machine.travel(datetime.datetime(2026, 11, 26, 12, tzinfo=datetime.UTC), tick=False):
        make_claim(slug="elenas", assignee=elena, deadline_end=datetime.date(2026, 11, 20))
        make_claim(slug="chiaras", assignee=chiara)
        client.force_login(elena)
        response = client.get("/admin/claims/claim/", {"assignee": "mine"})
    assert [c.slug for c in response.context["cl"].result_list] == ["elenas"]
    assert "6 days overdue" in response.content.decode()


def test_search_covers_claimant_and_source(client, make_claim, elena):
    make_claim(slug="found")
    client.force_login(elena)
    response = client.get("/admin/claims/claim/", {"q": "Daily Example"})  # neither in statement nor claimant
    assert response.status_code == 200
    response = client.get("/admin/claims/claim/", {"q": "City car story"})
    assert [c.slug for c in response.context["cl"].result_list] == ["found"]


def test_search_needs_every_word_somewhere_and_keeps_quoted_phrases(client, make_claim, elena):
    make_claim(slug="city-car", statement="Nissan will launch a city car in Europe by 2026.")
    make_claim(slug="van", statement="Nissan will launch an electric van in Europe by 2027.")
    client.force_login(elena)

    def found(query):
        response = client.get("/admin/claims/claim/", {"q": query})
        assert response.status_code == 200
        return sorted(c.slug for c in response.context["cl"].result_list)

    assert found("nissan story") == ["city-car", "van"]  # the claimant's name and the source's title
    assert found("van story") == ["van"]
    assert found('"city car" 2026') == ["city-car"]
    assert found('"car in Asia"') == []


# Session, user, count, page of claims, the filters' choices (staff users, claimants) and the
# reviews waiting (their count on the list, from the pending reviews' index); on PostgreSQL one
# more: the planner's estimate, asked before counting (LargeTablePaginator).
CLAIM_LIST_QUERIES = 9 + (connection.vendor == "postgresql")


@pytest.mark.parametrize("claims", [5, 60])
def test_claim_list_query_count_is_pinned(client, make_claim, elena, django_assert_num_queries, claims):
    for _ in range(claims):
        make_claim(assignee=elena)
    client.force_login(elena)
    with django_assert_num_queries(CLAIM_LIST_QUERIES):
        response = client.get("/admin/claims/claim/", {"status": "pending", "published": "no"})
    assert len(response.context["cl"].result_list) == min(claims, 50)


def test_staff_who_may_only_view_cannot_assign_claims_to_themselves(client, make_claim, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("vera", password="x", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_claim"))
    claim = make_claim()
    client.force_login(viewer)
    action(client, "assign_to_me", [claim])
    claim.refresh_from_db()
    assert claim.assignee is None


def test_export_csv_keeps_numbers_and_quotes_full_width_formulas(client, make_claim, elena):
    make_claim(statement="＝CMD()", target_quantity="temperature", target_comparator="<", target_value=-5)
    client.force_login(elena)
    response = action(client, "export_csv", Claim.objects.all())
    row = next(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert row["statement"] == "'＝CMD()"
    assert row["target_value"].startswith("-5")


def test_many_claimants_are_not_all_listed_and_a_claimant_name_filters_the_list(client, make_claim, elena, system):
    from claims.admin.lists import ClaimantFilter

    for n in range(ClaimantFilter.LIST_AT_MOST + 1):
        services.get_or_create_claimant(f"Maker {n:02d}", by=system, reason="test")
    claim = make_claim()
    client.force_login(elena)
    page = client.get("/admin/claims/claim/").content.decode()
    assert "Maker 07" not in page
    assert f'href="?claimant={claim.claimant_id}"' in page
    response = client.get("/admin/claims/claim/", {"claimant": claim.claimant_id})
    assert [c.pk for c in response.context["cl"].result_list] == [claim.pk]
    assert "Nissan" in response.content.decode()


def test_each_row_has_a_selectable_checkbox_for_actions(client, make_claim, elena):
    claim = make_claim(statement="Nissan will <b>launch</b> by 2026.")
    client.force_login(elena)
    page = client.get("/admin/claims/claim/").content.decode()
    assert f'name="_selected_action" value="{claim.pk}" class="action-select"' in page
    assert "Select this object for an action - Nissan will &lt;b&gt;launch&lt;/b&gt; by 2026." in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the estimate comes from PostgreSQL's planner")
def test_a_list_the_planner_expects_to_be_huge_is_not_counted(client, make_claim, elena, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from claims.admin.lists import LargeTablePaginator

    for _ in range(3):
        make_claim()
    monkeypatch.setattr(LargeTablePaginator, "ESTIMATE_ABOVE", -1)  # every list counts as huge
    client.force_login(elena)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/claims/claim/", {"status": "pending"})
    assert response.status_code == 200 and len(response.context["cl"].result_list) == 3
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if '"claims_review"' not in sql]  # the reviews waiting are counted
