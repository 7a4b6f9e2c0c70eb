"""Reader tips: the public form and its refusals, the desk's inbox, and a tip taken in through intake."""

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ReaderMessage, ReaderTip
from claims.readers import tips, tokens
from tests.html_forms import post_form
from tests.test_intake_admin import CONFIRM, review_form_data

pytest_plugins = ["tests.test_readers_support"]

TIP = {
    "statement": "The city will build 500 new homes by 2028, the mayor said on Monday.",
    "claimant": "City of Example",
    "url": "https://news.example/homes",
}


@pytest.fixture
def browser_client(db):
    return Client(enforce_csrf_checks=True)


def suggest(client, **changes):
    page = client.get("/suggest/")
    assert page.status_code == 200
    return client.post("/suggest/", post_form(page.content.decode()).data(**{**TIP, **changes}))


def test_every_public_page_links_to_the_tip_form(client, make_claim):
    claim = make_claim(published_at=timezone.now())
    for url in ["/", "/claims/", claim.get_absolute_url(), claim.claimant.get_absolute_url(), "/deadlines/"]:
        assert 'href="/suggest/"' in client.get(url).content.decode(), url


def test_the_tip_form_costs_no_query_and_is_never_cached(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        page = client.get("/suggest/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert post_form(page.content.decode()).names() == {
        "csrfmiddlewaretoken", "statement", "claimant", "url", "email", "website",
    }  # fmt: skip


def test_a_tip_lands_in_the_inbox_and_an_address_gets_a_confirmation_only(browser_client):
    answer = suggest(browser_client, email=" Tipster@Example.org")
    assert answer.status_code == 302 and answer["Location"] == "/suggest/thanks/"
    tip = ReaderTip.objects.get()
    assert (tip.statement, tip.claimant, tip.url, tip.state) == (*TIP.values(), ReaderTip.State.NEW)
    assert tip.reader.email == "tipster@example.org" and tip.email_confirmed_at is None
    message = ReaderMessage.objects.get()
    assert (message.kind, message.tip_id) == (ReaderMessage.Kind.CONFIRM_TIP, tip.pk)
    assert b"Thank you for your tip" in browser_client.get("/suggest/thanks/").content


def test_a_tip_without_an_address_sends_nothing(browser_client):
    assert suggest(browser_client, email="").status_code == 302
    assert ReaderTip.objects.get().reader is None and not ReaderMessage.objects.exists()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"statement": ""}, "This field is required."),
        ({"statement": "x" * 1001}, "Ensure this value has at most 1000 characters (it has 1001)."),
        ({"claimant": "y" * 201}, "Ensure this value has at most 200 characters (it has 201)."),
        ({"url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"url": "ftp://files.example/x"}, "Enter a valid URL."),
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"statement": "nul \x00 byte"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_gets_a_form_error_and_nothing_is_kept(browser_client, changes, error):
    answer = suggest(browser_client, **changes)
    assert answer.status_code == 400
    assert error in answer.content.decode().replace("&#x27;", "'")
    assert not ReaderTip.objects.exists()


def test_the_honeypot_is_refused_with_a_clear_error(browser_client):
    answer = suggest(browser_client, website="https://cheap-pills.example")
    assert answer.status_code == 400
    assert "“Leave this field empty” was filled in" in answer.content.decode()
    assert not ReaderTip.objects.exists()


def test_the_honeypot_is_hidden_from_people(client, db):
    html = client.get("/suggest/").content.decode()
    assert '<div class="hp" aria-hidden="true">' in html and 'tabindex="-1"' in html
    css = (Path(__file__).parent.parent / "static/public/site.css").read_text()
    assert ".hp { position: absolute; left: -10000px;" in css


def test_tips_are_limited_per_address_and_the_refusal_keeps_the_input(browser_client, settings):
    settings.TIP_RATE_LIMIT = 2
    assert suggest(browser_client).status_code == 302
    assert suggest(browser_client).status_code == 302
    refused = suggest(browser_client, statement="A third tip in the same hour.")
    html = refused.content.decode()
    assert refused.status_code == 429 and 3500 < int(refused["Retry-After"]) <= 3600
    assert "Too many tips from your address in the last hour. Please try again in 60 minutes." in html
    assert "A third tip in the same hour." in html, "the reader's text is still there"
    assert ReaderTip.objects.count() == 2


def test_another_address_is_not_limited_by_the_first(settings, db):
    settings.TIP_RATE_LIMIT = 1
    first, second = Client(REMOTE_ADDR="203.0.113.1"), Client(REMOTE_ADDR="203.0.113.2")
    assert suggest(first).status_code == 302
    assert suggest(first).status_code == 429
    assert suggest(second).status_code == 302


def test_a_post_without_the_csrf_token_is_refused(browser_client):
    assert browser_client.post("/suggest/", TIP).status_code == 403
    assert not ReaderTip.objects.exists()


def test_a_tip_confirmation_link_confirms_on_its_button_only(browser_client):
    tip = tips.submit(statement="s", claimant="c", email="kay@example.org")
    url = f"/suggest/confirm/{tokens.confirmation(tokens.TIP, tip.pk)}/"
    page = browser_client.get(url)
    assert page.status_code == 200 and b"Confirm your address" in page.content
    tip.refresh_from_db()
    assert tip.email_confirmed_at is None
    assert browser_client.post(url, post_form(page.content.decode()).data()).status_code == 200
    tip.refresh_from_db()
    assert tip.email_confirmed_at is not None
    assert b"Already confirmed" in browser_client.get(url).content


# --- the desk ------------------------------------------------------------------------------


def test_the_desk_index_counts_new_tips(client, elena, rita):
    tips.submit(statement="one", claimant="a")
    tips.submit(statement="two", claimant="b")
    dismissed = tips.submit(statement="three", claimant="c")
    tips.decide(dismissed, ReaderTip.State.DISMISSED, by=elena)
    client.force_login(elena)
    html = client.get(reverse("admin:index")).content.decode()
    assert '<span class="badge" id="new-tips">2 new</span>' in html
    assert "/admin/claims/readertip/?state__exact=new" in html


def test_the_inbox_shows_tips_but_not_the_tipsters_address(client, elena):
    tips.submit(statement="The mayor said so.", claimant="City", email="secret@example.org")
    client.force_login(elena)
    listing = client.get("/admin/claims/readertip/")
    html = listing.content.decode()
    assert listing.status_code == 200 and "The mayor said so." in html and "address left, not confirmed" in html
    assert "secret@example.org" not in html
    tip = ReaderTip.objects.get()
    page = client.get(f"/admin/claims/readertip/{tip.pk}/change/").content.decode()
    assert "secret@example.org" not in page and f"/admin/intake/?tip={tip.pk}" in page


def test_an_editor_marks_a_tip_a_duplicate_or_dismisses_it(client, elena, make_claim):
    existing = make_claim()
    tip = tips.submit(statement="Same as before.", claimant="Nissan")
    other = tips.submit(statement="Not a claim.", claimant="Nobody")
    client.force_login(elena)
    url = f"/admin/claims/readertip/{tip.pk}/change/"
    form = post_form(client.get(url).content.decode())
    refused = client.post(url, form.data(state="duplicate", duplicate_of=""))
    assert refused.status_code == 200 and "Choose the claim this tip duplicates." in refused.content.decode()
    assert client.post(url, form.data(state="duplicate", duplicate_of=str(existing.pk))).status_code == 302
    tip.refresh_from_db()
    assert (tip.state, tip.duplicate_of_id, tip.handled_by_id) == ("duplicate", existing.pk, elena.pk)

    answer = client.post("/admin/claims/readertip/", {"action": "dismiss", "_selected_action": [other.pk], "index": 0})
    assert answer.status_code == 302
    other.refresh_from_db()
    assert other.state == "dismissed"


def test_accepted_cannot_be_chosen_by_hand(client, elena):
    tip = tips.submit(statement="s", claimant="c")
    client.force_login(elena)
    url = f"/admin/claims/readertip/{tip.pk}/change/"
    form = post_form(client.get(url).content.decode())
    assert "accepted" not in form.selects["state"]
    assert client.post(url, form.data(state="accepted")).status_code == 200
    tip.refresh_from_db()
    assert tip.state == "new"


def test_a_tip_goes_through_intake_and_its_claims_are_linked_to_it(client, elena):
    tips.submit(**TIP, email="tipster@example.org")
    tip = ReaderTip.objects.get()
    client.force_login(elena)
    start = client.get(f"/admin/intake/?tip={tip.pk}")
    article = post_form(start.content.decode())
    assert article.value("article-tip") == str(tip.pk)
    assert article.value("article-url") == TIP["url"]
    assert article.value("article-title") == f"Reader tip {tip.pk}: City of Example"
    assert TIP["statement"] in article.value("article-text")
    assert f"reader tip {tip.pk}" in start.content.decode()

    review = client.post("/admin/intake/", article.data())
    assert review.status_code == 200
    data = review_form_data(review.content.decode())
    assert data["article-tip"] == str(tip.pk)
    assert int(data["candidates-TOTAL_FORMS"]) >= 1
    data.update({"candidates-0-keep": "on", "candidates-0-claimant": "City of Example"})
    done = client.post(CONFIRM, data)
    assert done.status_code == 302, done.content.decode()[:3000]

    tip.refresh_from_db()
    (claim,) = tip.claims.all()
    assert claim.published_at is None and "500 new homes" in claim.statement
    assert (tip.state, tip.handled_by_id) == (ReaderTip.State.ACCEPTED, elena.pk)
    assert Claim.objects.count() == 1


def test_a_made_up_tip_number_prefills_nothing(client, elena):
    client.force_login(elena)
    for tip in ["999", "abc", "-1", ""]:
        page = client.get(f"/admin/intake/?tip={tip}")
        assert page.status_code == 200
        assert post_form(page.content.decode()).value("article-tip") == ""


def test_readers_without_staff_access_never_see_tips(client, rita):
    tips.submit(statement="s", claimant="c")
    client.force_login(rita)
    assert client.get("/admin/claims/readertip/").status_code == 302
    assert client.get(f"/admin/claims/readertip/{ReaderTip.objects.get().pk}/change/").status_code == 302


def test_the_inbox_costs_the_same_queries_however_many_tips(client, elena):
    client.force_login(elena)

    def queries_with(count: int) -> int:
        for n in range(count - ReaderTip.objects.count()):
            tips.submit(statement=f"Tip {n}", claimant="Someone", email=f"t{n}@example.org" if n % 2 else "")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/claims/readertip/").status_code == 200
        return len(queries)

    assert queries_with(2) == queries_with(12)
