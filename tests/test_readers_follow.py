"""Following by email, page by page: the form, double opt-in links, one-click unsubscribe, managing, erasure."""

import datetime
import logging

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.utils import timezone

from claims import services
from claims.models import Reader, ReaderMessage, ReaderTip, Subscription
from claims.readers import subscriptions, tips, tokens
from tests.html_forms import post_form
from tests.test_readers_support import confirmed

pytest_plugins = ["tests.test_readers_support"]


@pytest.fixture
def claim(make_claim):
    return make_claim(statement="Acme will open 12 stores by 2027.", published_at=timezone.now())


@pytest.fixture
def browser_client():
    """A reader's browser, with Django's CSRF check on as in production."""
    return Client(enforce_csrf_checks=True)


def follow_through_the_page(client, url: str, email: str):
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, post_form(page.content.decode()).data(email=email))


def test_the_follow_page_of_a_claim_asks_only_for_an_address(browser_client, claim, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = browser_client.get(f"/follow/?claim={claim.slug}")
    html = page.content.decode()
    assert page.status_code == 200 and "Acme will open 12 stores by 2027." in html
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    assert post_form(html).names() == {"csrfmiddlewaretoken", "email", "website"}


@pytest.mark.parametrize(
    "query",
    ["?claim=no-such-claim", "?claimant=no-such-claimant", "?claim=a&claimant=b"],
)
def test_the_follow_page_of_something_not_public_is_a_404(client, query, db):
    assert client.get(f"/follow/{query}").status_code == 404


def test_a_draft_cannot_be_followed(client, make_claim):
    draft = make_claim()
    assert client.get(f"/follow/?claim={draft.slug}").status_code == 404
    assert client.get(f"/follow/?claimant={draft.claimant.slug}").status_code == 404


def test_following_answers_the_same_whatever_the_address_already_follows(browser_client, claim):
    first = follow_through_the_page(browser_client, f"/follow/?claim={claim.slug}", "Ana@Example.org")
    assert first.status_code == 302 and first["Location"] == "/follow/sent/"
    subscription = Subscription.objects.get()
    assert (subscription.reader.email, subscription.claim_id, subscription.confirmed_at) == (
        "ana@example.org",
        claim.pk,
        None,
    )
    subscriptions.confirm(subscription.pk)
    again = follow_through_the_page(browser_client, f"/follow/?claim={claim.slug}", "ana@example.org")
    assert again.status_code == 302 and again["Location"] == "/follow/sent/"
    assert Subscription.objects.count() == 1, "one subscription per address and target"
    assert ReaderMessage.objects.filter(kind=ReaderMessage.Kind.CONFIRM_FOLLOW).count() == 1, "no confirmation twice"
    assert b"Check your inbox" in browser_client.get("/follow/sent/").content


def test_confirmations_to_one_address_are_limited(claim, make_claim):
    for _ in range(3):
        subscriptions.follow("bob@example.org", claim=claim)
    assert ReaderMessage.objects.count() == 1, "the same request is not confirmed again within the hour"
    for n in range(6):
        subscriptions.follow("bob@example.org", claim=make_claim(published_at=timezone.now(), statement=f"Claim {n}"))
    assert ReaderMessage.objects.count() == subscriptions.CONFIRMATIONS_PER_DAY, "at most five a day"


def test_bad_input_gets_a_form_error_never_a_500(browser_client, claim):
    url = f"/follow/?claim={claim.slug}"
    page = browser_client.get(url)
    form = post_form(page.content.decode())
    for email in ["not an address", "", "a" * 250 + "@example.org", "x@example.org\x00"]:
        answer = browser_client.post(url, form.data(email=email))
        assert answer.status_code == 400, email
        assert b'class="errorlist' in answer.content
    assert not Subscription.objects.exists()


def test_the_honeypot_is_refused_with_an_error(browser_client, claim):
    url = f"/follow/?claim={claim.slug}"
    form = post_form(browser_client.get(url).content.decode())
    answer = browser_client.post(url, form.data(email="bot@example.org", website="http://spam.example"))
    assert answer.status_code == 400
    assert "“Leave this field empty” was filled in" in answer.content.decode()
    assert not Reader.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(browser_client, claim):
    answer = browser_client.post(f"/follow/?claim={claim.slug}", {"email": "ana@example.org"})
    assert answer.status_code == 403
    assert not Reader.objects.exists()


def test_a_body_far_larger_than_the_form_is_refused_before_it_is_read(browser_client, claim):
    answer = browser_client.post(f"/follow/?claim={claim.slug}", {"email": "a@example.org", "website": "x" * 20000})
    assert answer.status_code == 413
    assert b"far more than it asks for" in answer.content


def test_follow_requests_are_limited_per_address(browser_client, claim, settings):
    settings.FOLLOW_RATE_LIMIT = 2
    url = f"/follow/?claim={claim.slug}"
    for n in range(2):
        assert follow_through_the_page(browser_client, url, f"r{n}@example.org").status_code == 302
    refused = follow_through_the_page(browser_client, url, "r3@example.org")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many requests to follow from your address" in refused.content.decode()
    assert Reader.objects.count() == 2


def confirm_url(subscription) -> str:
    return f"/follow/confirm/{tokens.confirmation(tokens.FOLLOW, subscription.pk)}/"


def test_the_confirmation_link_shows_a_button_and_confirming_twice_is_harmless(browser_client, claim):
    subscription = subscriptions.follow("cy@example.org", claim=claim)
    url = confirm_url(subscription)
    page = browser_client.get(url)
    assert page.status_code == 200 and b"Confirm" in page.content
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None, "a mail scanner opening the link confirms nothing"
    form = post_form(page.content.decode())
    done = browser_client.post(url, form.data())
    assert done.status_code == 200 and b"/follow/manage/" in done.content
    subscription.refresh_from_db()
    first = subscription.confirmed_at
    assert first is not None
    assert browser_client.post(url, form.data()).status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at == first
    assert b"Already confirmed" in browser_client.get(url).content


def test_an_expired_or_tampered_confirmation_link_gets_a_clear_page(client, claim, settings):
    subscription = subscriptions.follow("dee@example.org", claim=claim)
    url = confirm_url(subscription)
    later = timezone.now() + datetime.timedelta(days=settings.FOLLOW_LINK_MAX_AGE_DAYS, minutes=1)
    with time_machine.travel(later):
        expired = client.get(url)
        assert client.post(url).status_code == 410
    assert expired.status_code == 410 and b"This link has expired" in expired.content
    for bad in [url.replace("/confirm/", "/confirm/9"), url[:-5] + "/", "/follow/confirm/x/"]:
        answer = client.get(bad)
        assert answer.status_code == 400 and b"This link does not work" in answer.content, bad
    # A follow link is no tip link, and no reader link: each is salted for its use.
    assert client.get(f"/suggest/confirm/{tokens.confirmation(tokens.FOLLOW, subscription.pk)}/").status_code == 400
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None


def test_one_click_unsubscribe_is_one_post_without_a_csrf_token(browser_client, claim):
    subscription = confirmed("eli@example.org", claim=claim)
    confirmed("eli@example.org")
    tip = tips.submit(statement="x", claimant="y", email="eli@example.org")
    tips.confirm_email(tip.pk)
    url = f"/follow/unsubscribe/{tokens.reader(subscription.reader_id)}/"
    # As a mail client sends it (RFC 8058): a POST of List-Unsubscribe=One-Click, no cookie, no token.
    answer = browser_client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200 and b"Unsubscribed" in answer.content
    assert not Subscription.objects.exists()
    assert ReaderTip.objects.get().email_confirmed_at is None, "no news of the tip either"
    assert not ReaderMessage.objects.pending().exists()
    assert browser_client.post(url).status_code == 200, "again: harmless"
    page = browser_client.get(url)
    assert page.status_code == 200 and b"not on our lists" not in page.content  # the address is still known
    assert client_cannot_forge(browser_client)


def client_cannot_forge(client) -> bool:
    return client.post("/follow/unsubscribe/1:forged/").status_code == 400


def test_the_manage_page_lists_and_stops_subscriptions(browser_client, claim, claimant, django_assert_num_queries):
    one = confirmed("fin@example.org", claim=claim)
    subscriptions.follow("fin@example.org", claimant=claimant)
    url = f"/follow/manage/{tokens.reader(one.reader_id)}/"
    with django_assert_num_queries(2):
        page = browser_client.get(url)
    html = page.content.decode()
    assert "fi•@example.org" in html and "fin@example.org" not in html
    assert "Acme will open 12 stores by 2027." in html and "Every claim by Nissan" in html
    assert "not confirmed yet" in html
    form = post_form(html)
    stopped = browser_client.post(url, form.data(action=f"stop:{one.pk}"))
    assert stopped.status_code == 200 and b"Stopped." in stopped.content
    assert list(Subscription.objects.values_list("target", flat=True)) == ["claimant"]
    everything = browser_client.post(url, form.data(action="stop_all"))
    assert b"You follow nothing" in everything.content and not Subscription.objects.exists()
    someone_else = confirmed("gil@example.org")
    browser_client.post(url, form.data(action=f"stop:{someone_else.pk}"))
    assert Subscription.objects.filter(pk=someone_else.pk).exists(), "only one's own subscriptions"


def test_a_reader_erases_their_own_address(browser_client, claim, caplog):
    subscription = confirmed("hana@example.org", claim=claim)
    tip = tips.submit(statement="s", claimant="c", email="hana@example.org")
    url = f"/follow/manage/{tokens.reader(subscription.reader_id)}/"
    form = post_form(browser_client.get(url).content.decode())
    with caplog.at_level(logging.INFO, logger="claims.readers.subscriptions"):
        answer = browser_client.post(url, form.data(action="erase"))
    assert answer.status_code == 200 and b"Your address is erased" in answer.content
    assert not Reader.objects.exists() and not Subscription.objects.exists() and not ReaderMessage.objects.exists()
    tip.refresh_from_db()
    assert (tip.reader_id, tip.statement) == (None, "s")
    assert f"Reader #{subscription.reader_id} erased" in caplog.text and "hana" not in caplog.text
    assert browser_client.get(url).status_code == 404


def test_chief_editors_erase_a_reader_from_the_desk_and_the_log_keeps_no_address(client, chiara, claim, caplog):
    subscription = confirmed("ivy@example.org", claim=claim)
    client.force_login(chiara)
    listing = client.get("/admin/claims/reader/")
    assert listing.status_code == 200 and b"ivy@example.org" in listing.content
    with caplog.at_level(logging.INFO, logger="claims.readers.subscriptions"):
        answer = client.post(
            "/admin/claims/reader/",
            {"action": "erase", "_selected_action": [subscription.reader_id], "index": 0},
        )
    assert answer.status_code == 302
    assert not Reader.objects.exists() and not Subscription.objects.exists()
    assert "ivy" not in caplog.text and f"Reader #{subscription.reader_id} erased by chiara" in caplog.text
    entry = LogEntry.objects.get()
    assert entry.object_repr == f"reader #{subscription.reader_id}" and "ivy" not in entry.get_change_message()


def test_subscribers_are_for_staff_with_the_permission_only(client, elena, rita, claim):
    confirmed("jay@example.org", claim=claim)
    client.force_login(elena)
    assert client.get("/admin/claims/reader/").status_code == 403, "editors work tips, not subscribers"
    client.force_login(rita)
    assert client.get("/admin/claims/reader/").status_code == 302, "readers are sent to the sign-in page"


def test_a_followed_claim_taken_off_the_site_shows_no_words_of_it(client, claim, system):
    subscription = confirmed("kai@example.org", claim=claim)
    claim.refresh_from_db()
    services.unpublish(claim, by=system)
    claim.refresh_from_db()
    claim.statement = "Reworded while off the site: not public."
    services.save_claim(claim, by=system, reason="Legal review")
    html = client.get(f"/follow/manage/{tokens.reader(subscription.reader_id)}/").content.decode()
    assert "A claim that is no longer on our tracker" in html
    assert "Reworded while off the site" not in html and "Acme will open" not in html
    assert f"/claims/{claim.slug}/" not in html
    assert client.get(confirm_url(subscription)).status_code == 404
