"""Publish and Unpublish on a claim's page: buttons with their own reason, checked on the server, no error page."""

import pytest
from django.test import Client
from django.urls import reverse

from claims import services
from claims.models import Claim
from tests.html_forms import forms_in


def publication_url(claim):
    return reverse("admin:claims_claim_publication", args=[claim.pk])


def change_url(claim):
    return reverse("admin:claims_claim_change", args=[claim.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_a_chief_editor_publishes_with_a_reason_kept_in_the_history(client, chiara, make_claim):
    claim = make_claim()
    client.force_login(chiara)
    page = client.get(change_url(claim)).content.decode()
    form = next(form for form in forms_in(page) if form.id == "publication-form")
    assert form.value("version") == str(claim.version)
    assert 'value="publish"' in page and "Unpublish" not in page
    response = client.post(
        publication_url(claim), {**dict(form.fields), "action": "publish", "reason": "Checked twice"}, follow=True
    )
    assert response.redirect_chain[-1][0] == change_url(claim)
    claim.refresh_from_db()
    assert claim.published_at is not None
    record = claim.history.latest("history_id")
    assert (record.history_user, record.history_change_reason) == (chiara, "Checked twice")
    assert any("published" in message for message in messages_of(response))

    again = client.get(change_url(claim)).content.decode()
    assert 'value="unpublish"' in again and "<strong>Published</strong> on " in again
    client.post(publication_url(claim), {"action": "unpublish", "reason": "Pending a check", "version": claim.version})
    claim.refresh_from_db()
    assert claim.published_at is None
    assert claim.history.latest("history_id").history_change_reason == "Pending a check"


def test_an_editor_sees_no_button_and_a_forged_post_is_refused_with_a_message(client, elena, make_claim):
    claim = make_claim()
    client.force_login(elena)
    page = client.get(change_url(claim)).content.decode()
    assert "publication-form" not in page and "Only chief editors publish" in page
    response = client.post(
        publication_url(claim), {"action": "publish", "reason": "Mine now", "version": claim.version}, follow=True
    )
    assert response.status_code == 200
    assert any("Only chief editors" in message for message in messages_of(response))
    claim.refresh_from_db()
    assert claim.published_at is None


def test_a_stale_page_is_refused_clearly_and_keeps_the_reason(client, chiara, make_claim, system):
    claim = make_claim()
    opened = claim.version
    services.assign(Claim.objects.get(pk=claim.pk), chiara, by=system, reason="Someone else moved it")
    client.force_login(chiara)
    response = client.post(publication_url(claim), {"action": "publish", "reason": "Ready", "version": opened})
    assert response.status_code == 302 and "publication_reason=Ready" in response.url
    page = client.get(response.url)
    assert page.status_code == 200
    assert any("changed by" in message and "nothing was saved" in message for message in messages_of(page))
    assert 'value="Ready"' in page.content.decode()  # what she typed is still there
    claim.refresh_from_db()
    assert claim.published_at is None


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"action": "publish", "reason": "  "}, "Give a reason to publish"),
        ({"action": "delete", "reason": "x"}, "Choose Publish or Unpublish"),
        ({"action": "publish", "reason": "x", "version": "abc"}, "without the version"),
        ({"action": "publish", "reason": "x"}, "without the version"),
    ],
)
def test_whatever_is_typed_gets_a_message_not_an_error_page(client, chiara, make_claim, data, says):
    claim = make_claim()
    client.force_login(chiara)
    response = client.post(publication_url(claim), data, follow=True)
    assert response.status_code == 200
    assert any(says in message for message in messages_of(response)), messages_of(response)
    claim.refresh_from_db()
    assert claim.published_at is None


def test_only_post_with_a_csrf_token_and_a_real_claim(chiara, make_claim):
    claim = make_claim()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(chiara)
    assert browser.get(publication_url(claim)).status_code == 405
    refused = browser.post(publication_url(claim), {"action": "publish", "reason": "x", "version": claim.version})
    assert refused.status_code == 403
    claim.refresh_from_db()
    assert claim.published_at is None
    browser = Client()
    browser.force_login(chiara)
    assert browser.post(reverse("admin:claims_claim_publication", args=[999999]), {}).status_code == 404
    assert browser.post("/admin/claims/claim/x1/publication/", {}).status_code in (403, 404)


def test_the_form_shows_the_publication_date_read_only(client, chiara, make_claim):
    claim = services.publish(make_claim(), by=chiara)
    client.force_login(chiara)
    page = client.get(change_url(claim)).content.decode()
    assert 'name="published_at_0"' not in page and 'name="published_at"' not in page


@pytest.mark.parametrize(
    ("object_id", "version"),
    [("%C2%B2", "1"), ("{pk}", "²"), ("{pk}", "9" * 5000), ("{pk}", ""), ("{pk}", "-1")],
)
def test_absurd_ids_and_versions_are_refused_in_words_never_a_server_error(
    client, chiara, make_claim, object_id, version
):
    claim = make_claim()
    client.force_login(chiara)
    url = f"/admin/claims/claim/{object_id.format(pk=claim.pk)}/publication/"
    response = client.post(url, {"action": "publish", "reason": "Checked", "version": version})
    assert response.status_code in (302, 404)
    claim.refresh_from_db()
    assert claim.published_at is None
