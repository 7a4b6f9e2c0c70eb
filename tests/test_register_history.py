"""Every write path records who changed what and why."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from claims import services
from claims.models import Claim, Status, Update


def latest_history(claim):
    return claim.history.order_by("-history_id").first()


def test_status_change_through_the_service_records_user_and_reason(make_claim, elena):
    claim = make_claim()
    services.change_status(claim, Status.IN_PROGRESS, by=elena, reason="Prototype shown at the motor show")
    record = latest_history(claim)
    assert record.status == Status.IN_PROGRESS
    assert record.history_user == elena
    assert record.history_change_reason == "Prototype shown at the motor show"
    assert record.history_type == "~"


def test_status_change_without_a_reason_is_refused(make_claim, elena):
    claim = make_claim()
    with pytest.raises(ValidationError, match="reason"):
        services.change_status(claim, Status.MISSED, by=elena, reason="  ")
    claim.refresh_from_db()
    assert claim.status == Status.PENDING
    assert claim.history.count() == 1


def test_fulfilled_after_the_deadline_is_refused_in_favour_of_fulfilled_late(make_claim, elena):
    claim = make_claim(deadline_end=datetime.date(2026, 6, 30))
    with pytest.raises(ValidationError, match="Fulfilled late"):
        services.change_status(
            claim, Status.FULFILLED, by=elena, reason="Launched", resolved_on=datetime.date(2026, 7, 2)
        )
    services.change_status(
        claim, Status.FULFILLED_LATE, by=elena, reason="Launched two days late", resolved_on=datetime.date(2026, 7, 2)
    )
    claim.refresh_from_db()
    assert claim.status == Status.FULFILLED_LATE and claim.resolved_on == datetime.date(2026, 7, 2)


def test_fulfilled_on_time_is_accepted(make_claim, elena):
    claim = make_claim(deadline_end=datetime.date(2026, 6, 30))
    services.change_status(claim, Status.FULFILLED, by=elena, reason="On sale", resolved_on=datetime.date(2026, 6, 1))
    assert Claim.objects.get(pk=claim.pk).status == Status.FULFILLED


def test_an_update_with_a_status_moves_the_claim_and_is_recorded(make_claim, elena):
    claim = make_claim()
    services.add_update(
        claim, summary="Production started", status=Status.IN_PROGRESS, by=elena, date=datetime.date(2026, 3, 1)
    )
    claim.refresh_from_db()
    assert claim.status == Status.IN_PROGRESS
    record = latest_history(claim)
    assert record.history_user == elena and "Production started" in record.history_change_reason
    assert claim.updates.get().history.get().history_user == elena


def test_load_demo_records_the_system_user_and_a_reason(db):
    call_command("load_demo")
    claim = Claim.objects.get(slug="example-motors-1000-vans-2025")
    status_changes = [r for r in claim.history.order_by("history_id") if r.status == Status.FULFILLED_LATE]
    assert status_changes, "the demo update should have moved the claim to fulfilled late"
    first = status_changes[0]
    assert first.history_user.username == services.SYSTEM_USERNAME
    assert "load_demo" in first.history_change_reason


def test_status_change_in_the_admin_records_the_editor_and_reason(client, make_claim, elena):
    claim = make_claim()
    client.force_login(elena)
    response = client.post(
        f"/admin/claims/claim/{claim.pk}/change/",
        admin_form_data(claim, status=Status.STALLED, change_reason="Plant construction paused"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = latest_history(claim)
    assert record.status == Status.STALLED
    assert record.history_user == elena
    assert record.history_change_reason == "Plant construction paused"


def test_status_change_in_the_admin_without_a_reason_shows_a_clear_error(client, make_claim, elena):
    claim = make_claim()
    client.force_login(elena)
    response = client.post(f"/admin/claims/claim/{claim.pk}/change/", admin_form_data(claim, status=Status.MISSED))
    assert response.status_code == 200
    assert "Give a reason for the status change" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Status.PENDING


def test_history_page_shows_the_reason_and_the_changed_fields(client, make_claim, elena):
    claim = make_claim()
    services.change_status(claim, Status.STALLED, by=elena, reason="Supplier dispute")
    client.force_login(elena)
    page = client.get(f"/admin/claims/claim/{claim.pk}/history/").content.decode()
    assert "Supplier dispute" in page
    assert "status" in page.lower() and "Stalled" in page


def admin_form_data(claim, **overrides):
    """The change form as the browser would post it, with the inlines empty."""
    data = {
        "statement": claim.statement,
        "quote": claim.quote,
        "claimant": claim.claimant_id,
        "source": claim.source_id,
        "slug": claim.slug,
        "deadline_text": claim.deadline_text,
        "deadline_start": claim.deadline_start or "",
        "deadline_end": claim.deadline_end or "",
        "deadline_precision": claim.deadline_precision,
        "target_quantity": claim.target_quantity,
        "target_comparator": claim.target_comparator,
        "target_value": claim.target_value if claim.target_value is not None else "",
        "target_unit": claim.target_unit,
        "actual_value": "",
        "status": claim.status,
        "verdict": claim.verdict,
        "notes": claim.notes,
        "assignee": claim.assignee_id or "",
        "change_reason": "",
        "opened_version": claim.version,  # the hidden field: the version the form was opened at
    }
    for prefix in ("updates", "appearances"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    data.update(overrides)
    return data


def test_correcting_an_old_update_leaves_the_current_status_alone(make_claim, elena):
    claim = make_claim(deadline_end=datetime.date(2026, 12, 31))
    first = services.add_update(
        claim, summary="Prototyp shown", status=Status.IN_PROGRESS, by=elena, date=datetime.date(2026, 3, 1)
    )
    services.add_update(claim, summary="On sale", status=Status.FULFILLED, by=elena, date=datetime.date(2026, 6, 1))
    first.summary = "Prototype shown"
    services.record_update(first, by=elena, reason="Typo")
    claim.refresh_from_db()
    assert claim.status == Status.FULFILLED and claim.resolved_on == datetime.date(2026, 6, 1)


def test_a_backdated_update_does_not_undo_a_later_status(make_claim, elena):
    claim = make_claim()
    services.add_update(claim, summary="Stalled", status=Status.STALLED, by=elena, date=datetime.date(2026, 5, 1))
    services.add_update(
        claim, summary="Earlier work", status=Status.IN_PROGRESS, by=elena, date=datetime.date(2026, 2, 1)
    )
    claim.refresh_from_db()
    assert claim.status == Status.STALLED


def test_fulfilled_after_the_deadline_in_the_admin_is_a_form_error_not_a_crash(client, make_claim, elena):
    claim = make_claim(deadline_end=datetime.date(2026, 6, 30))
    client.force_login(elena)
    data = admin_form_data(claim, status=Status.FULFILLED, resolved_on="2026-07-02", change_reason="On sale")
    response = client.post(f"/admin/claims/claim/{claim.pk}/change/", data)
    assert response.status_code == 200
    assert "use “Fulfilled late”" in response.content.decode()
    data.update(status=Status.FULFILLED_LATE)
    assert client.post(f"/admin/claims/claim/{claim.pk}/change/", data).status_code == 302
    claim.refresh_from_db()
    assert claim.status == Status.FULFILLED_LATE and claim.resolved_on == datetime.date(2026, 7, 2)


def test_a_fulfilled_update_after_the_deadline_is_a_form_error(client, make_claim, elena):
    claim = make_claim(deadline_end=datetime.date(2026, 6, 30))
    client.force_login(elena)
    response = client.post(
        "/admin/claims/update/add/",
        {"claim": claim.pk, "date": "2026-07-02", "summary": "On sale", "url": "", "status": Status.FULFILLED},
    )
    assert response.status_code == 200
    assert "use “Fulfilled late”" in response.content.decode()
    assert not claim.updates.exists()


def test_fulfilled_late_on_or_before_the_deadline_is_refused_everywhere(client, make_claim, elena):
    claim = make_claim(deadline_end=datetime.date(2026, 6, 30))
    with pytest.raises(ValidationError, match="use “Fulfilled”"):
        services.change_status(
            claim, Status.FULFILLED_LATE, by=elena, reason="Launched", resolved_on=datetime.date(2026, 6, 30)
        )
    claim.refresh_from_db()
    assert claim.status == Status.PENDING
    client.force_login(elena)
    data = admin_form_data(claim, status=Status.FULFILLED_LATE, resolved_on="2026-06-12", change_reason="On sale")
    response = client.post(f"/admin/claims/claim/{claim.pk}/change/", data)
    assert response.status_code == 200 and "use “Fulfilled”" in response.content.decode()
    response = client.post(
        "/admin/claims/update/add/",
        {"claim": claim.pk, "date": "2026-06-12", "summary": "On sale", "url": "", "status": Status.FULFILLED_LATE},
    )
    assert response.status_code == 200 and "use “Fulfilled”" in response.content.decode()
    assert not claim.updates.exists()


def test_deleting_a_claim_records_the_reason_on_its_updates_too(make_claim, chiara):
    claim = make_claim()
    update = services.add_update(claim, summary="Plant site chosen", by=chiara)
    services.tracked_delete(claim, by=chiara, reason="Duplicate of another claim")
    deletion = Update.history.get(id=update.pk, history_type="-")
    assert deletion.history_user == chiara and deletion.history_change_reason == "Duplicate of another claim"
