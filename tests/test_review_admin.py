"""The two-person rule in the desk: Save and Publish become review requests; the Awaiting review list decides them."""

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from claims import services
from claims.models import Claim, Review, Status
from tests.conftest import make_user
from tests.html_forms import post_form

pytestmark = [pytest.mark.django_db, pytest.mark.review_rule]


@pytest.fixture
def marco(django_user_model):
    return make_user(django_user_model, "marco", groups=["Editors", "Chief editors"])


def as_user(client, user):
    client.force_login(user)
    return client


def change_url(claim) -> str:
    return f"/admin/claims/claim/{claim.pk}/change/"


def review_url(review) -> str:
    return f"/admin/claims/review/{review.pk}/change/"


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_an_editors_outcome_on_the_claim_form_becomes_a_review_and_the_rest_is_saved(client, make_claim, elena):
    claim = make_claim(published_at=timezone.now())
    as_user(client, elena)
    form = post_form(client.get(change_url(claim)).content.decode())
    data = form.data(status=Status.MISSED, verdict="Nothing by 2026.", notes="asked twice", change_reason="Missed")
    response = client.post(change_url(claim), data, follow=True)
    assert response.status_code == 200
    claim.refresh_from_db()
    assert (claim.status, claim.verdict, claim.notes) == (Status.PENDING, "", "asked twice")
    review = Review.objects.get()
    assert review.submitter == elena and review.reason == "Missed"
    assert review.changes == {
        "status": "missed",
        "resolved_on": timezone.localdate().isoformat(),
        "verdict": "Nothing by 2026.",
    }
    assert any(text.startswith("Sent for review: giving a published claim an outcome") for text in texts(response))


@pytest.mark.parametrize("who", ["chiara", "elena"])
def test_the_publish_button_asks_another_chief_and_an_editor_may_press_it(client, make_claim, request, who):
    claim = make_claim()
    as_user(client, request.getfixturevalue(who))
    page = client.get(change_url(claim)).content.decode()
    assert "Send for review" in page and 'name="published_at' not in page  # no date picker to publish with
    data = {"action": "publish", "reason": "Ready", "version": str(claim.version)}
    response = client.post(f"/admin/claims/claim/{claim.pk}/publication/", data, follow=True)
    assert any("sent for review" in text for text in texts(response))
    claim.refresh_from_db()
    assert claim.published_at is None
    assert Review.objects.get().changes == {"publish": True}
    stale = client.post(f"/admin/claims/claim/{claim.pk}/publication/", data, follow=True)
    assert any("already awaits review" in text for text in texts(stale)) and Review.objects.count() == 1


def test_the_publish_action_asks_for_review_even_for_an_editor(client, make_claim, elena):
    first, second = make_claim(), make_claim()
    as_user(client, elena)
    assert "publish_selected" in client.get("/admin/claims/claim/").content.decode()
    data = {"action": "publish_selected", "_selected_action": [first.pk, second.pk]}
    response = client.post("/admin/claims/claim/", data, follow=True)
    assert "2 claims sent for review." in texts(response)
    assert Review.objects.filter(state="pending").count() == 2
    assert not Claim.objects.published().exists()
    # Asked again: told per claim, nothing doubled.
    response = client.post("/admin/claims/claim/", data, follow=True)
    assert sum("already awaits review" in text for text in texts(response)) == 2
    assert Review.objects.count() == 2


def test_a_timeline_update_with_an_outcome_on_a_published_claim_is_refused_with_where_to_go(client, make_claim, elena):
    claim = make_claim(published_at=timezone.now())
    as_user(client, elena)
    form = post_form(client.get(change_url(claim)).content.decode())
    data = form.data(
        change_reason="Cancelled",
        **{"updates-TOTAL_FORMS": "1", "updates-0-date": "2026-03-01", "updates-0-summary": "Cancelled"},
        **{"updates-0-status": Status.WITHDRAWN, "updates-0-url": ""},
    )
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "goes through review: set the status on the claim&#x27;s page" in response.content.decode()
    assert not claim.updates.exists()


def test_an_outcome_on_the_claim_and_in_an_update_at_once_is_refused_in_words(client, make_claim, elena):
    """The claim's own form moving to the same outcome made the update look like no change: it was a 500."""
    claim = make_claim(published_at=timezone.now())
    as_user(client, elena)
    form = post_form(client.get(change_url(claim)).content.decode())
    data = form.data(
        status=Status.WITHDRAWN, change_reason="Cancelled",
        **{"updates-TOTAL_FORMS": "1", "updates-0-date": "2026-03-01", "updates-0-summary": "Cancelled"},
        **{"updates-0-status": Status.WITHDRAWN, "updates-0-url": ""},
    )  # fmt: skip
    response = client.post(change_url(claim), data)
    assert response.status_code == 200 and "goes through review" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status != Status.WITHDRAWN and not claim.updates.exists() and not Review.objects.exists()


def test_the_update_page_refuses_an_outcome_of_a_published_claim_without_a_500(client, make_claim, elena):
    claim = make_claim(published_at=timezone.now())
    as_user(client, elena)
    form = post_form(client.get("/admin/claims/update/add/").content.decode())
    data = form.data(claim=str(claim.pk), date="2026-03-01", summary="Cancelled", status=Status.WITHDRAWN)
    response = client.post("/admin/claims/update/add/", data)
    assert response.status_code == 200 and "goes through review" in response.content.decode()
    data = form.data(claim=str(claim.pk), date="2026-03-01", summary="Works started", status=Status.IN_PROGRESS)
    assert client.post("/admin/claims/update/add/", data).status_code == 302  # open to open: no review
    claim.refresh_from_db()
    assert claim.status == Status.IN_PROGRESS


def test_a_new_claim_cannot_be_published_from_the_add_form(client, chiara, claimant, source):
    """Publication has its own button (and review): a date posted with a new claim is ignored, the claim is a draft."""
    as_user(client, chiara)
    form = post_form(client.get("/admin/claims/claim/add/").content.decode())
    now = timezone.localtime()
    data = form.data(
        statement="Nissan will sell a 20,000 EUR EV by 2026.", claimant=str(claimant.pk), source=str(source.pk),
        slug="nissan-20000-eur-ev",
        deadline_text="by 2026", deadline_end="2026-12-31", deadline_precision="year", status=Status.IN_PROGRESS,
        change_reason="New and ready",
    )  # fmt: skip
    data.update(published_at_0=f"{now:%Y-%m-%d}", published_at_1=f"{now:%H:%M:%S}")
    response = client.post("/admin/claims/claim/add/", data, follow=True)
    assert response.status_code == 200
    assert not response.context.get("errors"), response.context["errors"]
    claim = Claim.objects.get(statement="Nissan will sell a 20,000 EUR EV by 2026.")
    assert claim.published_at is None and claim.status == Status.IN_PROGRESS
    assert not Review.objects.exists()


def test_counts_on_the_desk_and_the_claim_list_and_the_list_opens_on_pending(client, make_claim, elena, chiara):
    waiting = services.request_review(make_claim(), by=elena, reason="Ready", publish=True)
    returned = services.request_review(make_claim(), by=elena, reason="Ready too", publish=True)
    services.return_review(returned, by=chiara, comment="Not yet")
    as_user(client, chiara)
    assert 'id="awaiting-review">1 waiting<' in client.get("/admin/").content.decode()
    assert "Awaiting review (1)" in client.get("/admin/claims/claim/").content.decode()
    listed = client.get("/admin/claims/review/")
    assert list(listed.context["cl"].result_list) == [waiting]
    everything = client.get("/admin/claims/review/?state=all")
    assert set(everything.context["cl"].result_list) == {waiting, returned}


def test_the_review_list_reads_the_same_queries_for_two_and_ten(
    client, make_claim, elena, chiara, django_assert_num_queries
):
    for _ in range(2):
        services.request_review(make_claim(), by=elena, reason="Ready", publish=True)
    as_user(client, chiara)
    client.get("/admin/claims/review/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        client.get("/admin/claims/review/")
    for _ in range(8):
        services.request_review(make_claim(), by=elena, reason="Ready", publish=True)
    with django_assert_num_queries(len(two)):
        client.get("/admin/claims/review/")


def test_the_review_page_shows_the_change_against_what_is_public(client, make_claim, elena, chiara):
    claim = make_claim(published_at=timezone.now(), status=Status.IN_PROGRESS, verdict="Work started in Sunderland.")
    review = services.request_review(
        claim, by=elena, reason="Missed", status=Status.MISSED, verdict="Work stopped in Sunderland."
    )
    page = as_user(client, chiara).get(review_url(review)).content.decode()
    assert "<td>In the works</td><td>Missed</td>" in page
    assert "Work <del>started</del> <ins>stopped</ins> in Sunderland." in page
    assert 'name="decision" value="approve"' in page and "csrfmiddlewaretoken" in page


def test_approve_and_return_buttons_check_on_the_server_and_never_fail(client, make_claim, elena, chiara, marco):
    claim = make_claim()
    review = services.request_review(claim, by=chiara, reason="Ready", publish=True)
    decide = f"/admin/claims/review/{review.pk}/decide/"
    as_user(client, chiara)
    assert client.get(decide).status_code == 405
    response = client.post(decide, {"decision": "approve"}, follow=True)
    assert "You asked for this change" in " ".join(texts(response))
    as_user(client, elena)
    response = client.post(decide, {"decision": "approve"}, follow=True)
    assert "Only chief editors can approve" in " ".join(texts(response))
    as_user(client, marco)
    response = client.post(decide, {"decision": "return", "comment": ""}, follow=True)
    assert "Say why you return it" in " ".join(texts(response))
    response = client.post(decide, {"decision": "sideways"}, follow=True)
    assert "Choose Approve or Return." in texts(response)
    assert Claim.objects.get(pk=claim.pk).published_at is None

    response = client.post(decide, {"decision": "approve", "comment": "fine"}, follow=True)
    assert response.status_code == 200 and Claim.objects.get(pk=claim.pk).published_at is not None
    again = client.post(decide, {"decision": "approve"}, follow=True)  # a double click
    assert again.status_code == 200
    assert any(text.startswith("This review was already approved by marco") for text in texts(again))
    assert client.post("/admin/claims/review/999999/decide/", {"decision": "approve"}).status_code == 404
    assert client.get("/admin/claims/review/nope/change/").status_code == 404


def test_a_long_claim_reviewed_is_warned_about(client, make_claim, chiara):
    claim = make_claim(statement="Nissan will launch an affordable electric city car in every European market by 2026.")
    as_user(client, chiara)
    form = post_form(client.get(change_url(claim)).content.decode())
    response = client.post(change_url(claim), form.data(notes="n"), follow=True)
    assert any("write a short form (at most 75)" in text for text in texts(response))
    form = post_form(client.get(change_url(claim)).content.decode())
    response = client.post(
        change_url(claim), form.data(claim_reviewed="Nissan: EV city car in Europe by 2026"), follow=True
    )
    assert not any("short form" in text for text in texts(response))


def test_the_right_of_reply_is_edited_on_the_claims_page_with_history(client, make_claim, elena):
    claim = make_claim(published_at=timezone.now())
    as_user(client, elena)
    page = client.get(change_url(claim)).content.decode()
    assert "Right of reply" in page and "Their reply" in page
    assert "<strong>Missed</strong>: The deadline passed" in page  # each status's definition, under the status
    form = post_form(page)
    data = form.data(
        reply_requested_on="2026-03-03", reply_on="2026-03-05", reply_text="We stand by our plan.",
        change_reason="Nissan replied",
    )  # fmt: skip
    assert client.post(change_url(claim), data).status_code == 302
    row = Claim.history.filter(id=claim.pk).latest("history_id")
    assert (row.reply_text, row.history_change_reason, row.history_user) == (
        "We stand by our plan.",
        "Nissan replied",
        elena,
    )
    assert not Review.objects.exists()  # the reply is the claimant's word, not our rating: no review
