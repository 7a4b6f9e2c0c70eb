"""No silently lost edits: a form opened at an older version than the row has now is refused.

Elena and Ezio are editors, Chiara and Carlo chief editors; each opens a page, someone
else saves first. The refusal names who changed what since, keeps the editor's input,
shows the fields they did not touch with their current values, and a second save then
writes their change over the current row. Services refuse the same, for every caller.
"""

import pytest
from django.core.exceptions import PermissionDenied

from claims import services
from claims.models import Claim, Status, Update
from claims.versions import StaleEdit
from tests.conftest import make_user
from tests.html_forms import post_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def ezio(django_user_model):
    return make_user(django_user_model, "ezio", groups=["Editors"])


@pytest.fixture
def carlo(django_user_model):
    return make_user(django_user_model, "carlo", groups=["Editors", "Chief editors"])


def client_for(client_class, user):
    client = client_class()
    client.force_login(user)
    return client


@pytest.fixture
def open_page(client):
    """(client, form) of a change page, as the user opened it."""

    def open_(user, url):
        browser = client_for(type(client), user)
        response = browser.get(url)
        assert response.status_code == 200
        return browser, post_form(response.content.decode())

    return open_


def change_url(obj) -> str:
    return f"/admin/claims/{obj._meta.model_name}/{obj.pk}/change/"


def test_a_stale_claim_form_is_refused_with_what_changed_and_the_editors_input_kept(open_page, make_claim, elena, ezio):
    claim = make_claim(notes="")
    elenas_browser, elenas_form = open_page(elena, change_url(claim))
    ezios_browser, ezios_form = open_page(ezio, change_url(claim))
    corrected = "Nissan will launch the Micra EV in Europe by 2026."
    saved = ezios_browser.post(change_url(claim), ezios_form.data(statement=corrected, change_reason="Model name"))
    assert saved.status_code == 302

    refused = elenas_browser.post(change_url(claim), elenas_form.data(notes="Called the press office"))
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "Someone else changed this claim since you opened it; nothing was saved." in page
    assert "ezio" in page and "Model name" in page  # who, and why
    assert "Statement" in page and corrected in page  # what, field by field
    claim.refresh_from_db()
    assert (claim.statement, claim.notes) == (corrected, "")  # nothing of Elena's was written

    again = post_form(page)
    assert again.value("notes") == "Called the press office"  # her input is kept
    assert again.value("statement") == corrected  # the field she did not touch shows the current value
    assert elenas_browser.post(change_url(claim), again.data()).status_code == 302
    claim.refresh_from_db()
    assert (claim.statement, claim.notes) == (corrected, "Called the press office")
    assert claim.history.count() == 3  # created, Ezio's, Elena's: nothing reverted


def test_both_changing_one_field_is_named_and_the_second_save_is_a_choice(open_page, make_claim, elena, ezio):
    claim = make_claim()
    elenas_browser, elenas_form = open_page(elena, change_url(claim))
    ezios_browser, ezios_form = open_page(ezio, change_url(claim))
    ezios_browser.post(change_url(claim), ezios_form.data(statement="Ezio's wording."))
    refused = elenas_browser.post(change_url(claim), elenas_form.data(statement="Elena's wording."))
    page = refused.content.decode()
    assert "You and they both changed: Statement." in page
    again = post_form(page)
    assert again.value("statement") == "Elena's wording."
    elenas_browser.post(change_url(claim), again.data())
    claim.refresh_from_db()
    assert claim.statement == "Elena's wording."


def test_a_chief_with_a_stale_form_does_not_unpublish_what_another_chief_published(
    open_page, make_claim, chiara, carlo
):
    claim = make_claim()
    chiaras_browser, chiaras_form = open_page(chiara, change_url(claim))
    services.publish(Claim.objects.get(pk=claim.pk), by=carlo, reason="Checked")

    refused = chiaras_browser.post(change_url(claim), chiaras_form.data(verdict="Looks right."))
    assert refused.status_code == 200
    claim.refresh_from_db()
    assert claim.published_at is not None and claim.verdict == ""
    again = post_form(refused.content.decode())
    assert "published_at_0" not in again.data(), "the publication is the Publish button's, not the form's"
    chiaras_browser.post(change_url(claim), again.data())
    claim.refresh_from_db()
    assert claim.published_at is not None and claim.verdict == "Looks right."


def test_a_stale_timeline_update_inline_refuses_the_whole_save(open_page, make_claim, elena, ezio, system):
    claim = make_claim()
    update = services.add_update(claim, summary="Prototype shown", by=system)
    elenas_browser, elenas_form = open_page(elena, change_url(claim))
    ezios_browser, ezios_form = open_page(ezio, change_url(update))
    assert (
        ezios_browser.post(change_url(update), ezios_form.data(summary="Prototype shown in Paris")).status_code == 302
    )

    refused = elenas_browser.post(change_url(claim), elenas_form.data(**{"updates-0-summary": "Prototype shown (2)"}))
    assert refused.status_code == 200
    assert "Prototype shown in Paris" in refused.content.decode()
    update.refresh_from_db()
    assert update.summary == "Prototype shown in Paris"


@pytest.mark.parametrize("model", ["claimant", "source"])
def test_stale_claimant_and_source_forms_are_refused(open_page, make_claim, elena, ezio, model):
    obj = getattr(make_claim(), model)
    field = "name" if model == "claimant" else "title"
    elenas_browser, elenas_form = open_page(elena, change_url(obj))
    ezios_browser, ezios_form = open_page(ezio, change_url(obj))
    assert ezios_browser.post(change_url(obj), ezios_form.data(**{field: "Ezio's"})).status_code == 302
    other = "url" if model == "claimant" else "publisher"
    refused = elenas_browser.post(change_url(obj), elenas_form.data(**{other: "https://elena.example/"}))
    assert refused.status_code == 200 and "since you opened it" in refused.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, field) == "Ezio's"
    assert post_form(refused.content.decode()).value(field) == "Ezio's"


def test_a_form_posted_without_its_version_is_refused(client, make_claim, elena):
    claim = make_claim()
    client.force_login(elena)
    form = post_form(client.get(change_url(claim)).content.decode())
    response = client.post(change_url(claim), form.data(opened_version=None, notes="From a script"))
    assert response.status_code == 200 and "without the version it was opened at" in response.content.decode()
    claim.refresh_from_db()
    assert claim.notes == ""


def test_services_refuse_a_stale_object_and_a_stale_expected_version(make_claim, elena, ezio):
    claim = make_claim()
    elenas_copy = Claim.objects.get(pk=claim.pk)
    ezios_copy = Claim.objects.get(pk=claim.pk)
    ezios_copy.statement = "Ezio's wording."
    services.save_claim(ezios_copy, by=ezio, reason="Wording")
    elenas_copy.notes = "Mine"
    with pytest.raises(StaleEdit, match="changed by ezio since you opened it") as refused:
        services.save_claim(elenas_copy, by=elena, reason="Notes")
    assert [change.user for change in refused.value.changes()] == ["ezio"]
    assert refused.value.changes()[0].fields[0].label == "Statement"

    fresh = Claim.objects.get(pk=claim.pk)
    with pytest.raises(StaleEdit):
        services.change_status(fresh, Status.STALLED, by=elena, reason="Paused", expected_version=1)
    services.change_status(fresh, Status.STALLED, by=elena, reason="Paused", expected_version=fresh.version)
    assert Claim.objects.get(pk=claim.pk).version == 3


def test_a_write_to_a_row_deleted_meanwhile_is_refused(make_claim, elena, chiara):
    claim = make_claim()
    update = services.add_update(claim, summary="Shown", by=elena)
    stale = Update.objects.get(pk=update.pk)
    services.tracked_delete(Update.objects.get(pk=update.pk), by=chiara, reason="Duplicate")
    stale.summary = "Shown again"
    with pytest.raises(StaleEdit, match="deleted by someone else"):
        services.record_update(stale, by=elena, reason="Wording")
    assert not Update.objects.filter(pk=update.pk).exists()


def test_services_check_the_permission_of_what_changes(make_claim, elena):
    claim = make_claim()
    claim.published_at = claim.created_at
    with pytest.raises(PermissionDenied):
        services.save_claim(claim, by=elena, reason="Sneaking it out")
    with pytest.raises(PermissionDenied):
        services.tracked_delete(Claim.objects.get(pk=claim.pk), by=elena, reason="Gone")
    assert Claim.objects.get(pk=claim.pk).published_at is None


def test_a_chiefs_note_on_a_published_claim_moves_nothing_public(
    open_page, make_claim, chiara, django_capture_on_commit_callbacks
):
    """The form's time inputs drop microseconds: an untouched publication time is not a change."""
    claim = services.publish(make_claim(), by=chiara)
    before = Claim.objects.values_list("published_at", "public_changed_at").get(pk=claim.pk)
    browser, form = open_page(chiara, change_url(claim))
    with django_capture_on_commit_callbacks() as callbacks:
        assert browser.post(change_url(claim), form.data(notes="Called the press office")).status_code == 302
    assert Claim.objects.values_list("published_at", "public_changed_at").get(pk=claim.pk) == before
    assert not [callback for callback in callbacks if "invalidate" in callback.__qualname__]
    assert Claim.history.filter(id=claim.pk).latest("history_id").published_at == before[0]


def test_a_stale_delete_of_a_timeline_update_is_refused(open_page, make_claim, chiara, ezio, system):
    claim = make_claim()
    update = services.add_update(claim, summary="Prototype shown", by=system)
    chiaras_browser, chiaras_form = open_page(chiara, change_url(claim))
    ezios_browser, ezios_form = open_page(ezio, change_url(update))
    assert (
        ezios_browser.post(change_url(update), ezios_form.data(summary="Prototype shown in Paris")).status_code == 302
    )

    refused = chiaras_browser.post(change_url(claim), chiaras_form.data(**{"updates-0-DELETE": "on"}))
    assert refused.status_code == 200 and "so it was not deleted" in refused.content.decode()
    assert Update.objects.filter(pk=update.pk, summary="Prototype shown in Paris").exists()


def test_the_pages_reason_is_what_the_timeline_and_the_status_change_record(open_page, make_claim, elena, system):
    claim = make_claim()
    update = services.add_update(claim, summary="Factory idle", by=system)
    browser, form = open_page(elena, change_url(claim))
    reason = "Factory closed, per Reuters"
    response = browser.post(change_url(claim), form.data(**{"updates-0-status": "stalled", "change_reason": reason}))
    assert response.status_code == 302
    assert update.history.latest("history_id").history_change_reason == reason
    assert claim.history.latest("history_id").history_change_reason.startswith(reason)
