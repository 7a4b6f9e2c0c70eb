"""Intake confirmation: once per review page, duplicates checked again, absurd dates refused, quotes only quoted.

A double click, back-and-resubmit or two simultaneous submissions of one review page
save its candidates once (a one-time token spent in the saving transaction); the
second is sent to what the first saved.
"""

import datetime
import threading
import time

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from claims.models import Appearance, Claim, IntakeConfirmation, Source
from tests.conftest import make_user
from tests.test_intake_admin import CONFIRM, keep_all, paste, review_form_data

DUPLICATES = reverse("intake:duplicates")


@pytest.fixture
def editor_client(client, elena):
    client.force_login(elena)
    return client


def _kept_data(client) -> dict:
    data = review_form_data(paste(client).content.decode())
    for index in range(int(data["candidates-TOTAL_FORMS"])):
        data[f"candidates-{index}-keep"] = "on"
    return data


def _ticked(data: dict) -> dict:
    """A re-rendered review as resubmitted with every candidate still ticked."""
    total = int(data["candidates-TOTAL_FORMS"])
    return {**data, **{f"candidates-{index}-keep": "on" for index in range(total)}}


def test_submitting_the_review_twice_saves_once_and_answers_with_what_was_saved(editor_client):
    data = _kept_data(editor_client)
    first = editor_client.post(CONFIRM, data)
    source = Source.objects.get()
    assert first.status_code == 302 and Claim.objects.count() == 5
    second = editor_client.post(CONFIRM, data, follow=True)
    assert second.redirect_chain == [(reverse("intake:done", args=[source.pk]), 302)]
    assert "already confirmed" in second.content.decode() and "Nothing was saved twice" in second.content.decode()
    assert Claim.objects.count() == 5 and Source.objects.count() == 1
    assert IntakeConfirmation.objects.get().source == source


def test_a_failed_confirmation_leaves_the_page_usable(editor_client):
    data = _kept_data(editor_client)
    refused = editor_client.post(CONFIRM, {**data, "candidates-0-claimant": ""})
    assert refused.status_code == 400 and Claim.objects.count() == 0
    again = _ticked(review_form_data(refused.content.decode()))
    assert again["article-token"] == data["article-token"]  # the same page, still unspent
    assert editor_client.post(CONFIRM, {**data, **{"candidates-0-claimant": "Nissan"}}).status_code == 302
    assert Claim.objects.count() == 5


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_a_page_without_a_valid_token_saves_nothing_and_gets_a_new_one(editor_client, token):
    data = {**_kept_data(editor_client), "article-token": token}
    response = editor_client.post(CONFIRM, data)
    page = response.content.decode()
    assert response.status_code == 400 and "has expired or was not opened by you" in page
    assert Claim.objects.count() == 0
    fresh = review_form_data(page)["article-token"]
    assert fresh and fresh != token
    assert editor_client.post(CONFIRM, {**data, "article-token": fresh}).status_code == 302


def test_another_editors_token_is_refused(client, elena, chiara):
    client.force_login(elena)
    data = _kept_data(client)
    client.force_login(chiara)
    assert client.post(CONFIRM, data).status_code == 400
    assert Claim.objects.count() == 0


def test_old_tokens_of_the_editor_are_deleted_when_a_new_review_opens(editor_client, elena, time_machine):
    time_machine.move_to(datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC))
    paste(editor_client)
    time_machine.move_to(datetime.datetime(2026, 2, 15, 9, tzinfo=datetime.UTC))
    paste(editor_client)
    assert IntakeConfirmation.objects.filter(issued_to=elena).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across connections: PostgreSQL")
def test_two_simultaneous_submissions_save_once(django_user_model):
    """Both requests reach the token's row while a third connection holds it; they then race for it."""
    editor = make_user(django_user_model, "elena", groups=["Editors"])
    first = Client()
    first.force_login(editor)
    data = _kept_data(first)
    token = IntakeConfirmation.objects.get().pk
    settings = connection.settings_dict
    dsn = f"host={settings['HOST']} port={settings['PORT'] or 5432} dbname={settings['NAME']} user={settings['USER']}"
    holder = psycopg.connect(dsn, password=settings["PASSWORD"] or None)
    holder.execute("SELECT 1 FROM claims_intakeconfirmation WHERE id = %s FOR UPDATE", [token])
    # Another connection watches: pg_stat_activity is a snapshot for the length of a transaction.
    watcher = psycopg.connect(dsn, password=settings["PASSWORD"] or None, autocommit=True)

    responses = []

    def submit():
        client = Client()
        client.force_login(editor)
        try:
            responses.append(client.post(CONFIRM, data))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    waiting = 0
    deadline = time.monotonic() + 10
    while waiting < 2 and time.monotonic() < deadline:
        waiting = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ).fetchone()[0]
    holder.commit()  # release the row: the two submissions now race for it
    holder.close()
    watcher.close()
    for thread in threads:
        thread.join(30)
    assert waiting == 2, "both submissions should have been waiting on the token's row"
    assert sorted(response.status_code for response in responses) == [302, 302]
    assert Claim.objects.count() == 5 and Source.objects.count() == 1
    source = Source.objects.get()
    assert {response.url for response in responses} == {reverse("intake:done", args=[source.pk])}


@pytest.mark.parametrize(
    ("field", "value"),
    [("deadline_end", "9999-12-31"), ("deadline_start", "1066-10-14"), ("deadline_end", "2201-01-01")],
)
def test_a_deadline_outside_1900_to_2200_is_a_form_error(editor_client, field, value):
    response = keep_all(editor_client, paste(editor_client), **{f"candidates-0-{field}": value})
    page = response.content.decode()
    assert response.status_code == 400
    assert f"Give a date between 1900-01-01 and 2200-12-31; {value} looks like a typing mistake." in page
    assert Claim.objects.count() == 0


def test_the_last_day_of_2200_is_a_deadline(editor_client):
    response = keep_all(
        editor_client,
        paste(editor_client),
        **{"candidates-0-deadline_end": "2200-12-31", "candidates-0-deadline_start": "1900-01-01"},
    )
    assert response.status_code == 302
    assert Claim.objects.filter(deadline_end=datetime.date(2200, 12, 31)).count() == 1


# --- duplicates after an edit -------------------------------------------------------


@pytest.fixture
def nissan_claim(make_claim):
    """An existing claim of Nissan whose statement is the story's Alpine sentence, word for word."""
    return make_claim(
        statement="Alpine, the group's sports-car brand, is coming to the United States, although Renault has "
        "given no date.",
        quote="",
    )


def test_a_claimant_changed_without_the_script_is_checked_again_at_confirmation(editor_client, nissan_claim):
    data = _kept_data(editor_client)
    alpine = next(i for i in range(5) if data[f"candidates-{i}-claimant"] == "Alpine")
    assert not data.get(f"candidates-{alpine}-appearance_of")
    # The editor changes the claimant to Nissan: the candidate is now an existing claim, word for word.
    response = editor_client.post(CONFIRM, {**data, f"candidates-{alpine}-claimant": "Nissan"})
    page = response.content.decode()
    assert response.status_code == 400 and "already in the register, word for word" in page
    assert Claim.objects.count() == 1 and Source.objects.count() == 1  # the fixture's
    again = review_form_data(page)
    assert again[f"candidates-{alpine}-appearance_of"] == str(nissan_claim.pk)  # proposed by default
    assert editor_client.post(CONFIRM, _ticked(again)).status_code == 302
    assert Claim.objects.count() == 5  # four new, the repeat recorded as an appearance
    assert Appearance.objects.get().claim == nissan_claim


def test_a_likely_repeat_never_shown_sends_the_review_back(editor_client, make_claim):
    existing = make_claim(
        statement="Alpine, the group's sports car brand, is coming to the United States although Renault gave no date."
    )
    data = _kept_data(editor_client)
    alpine = next(i for i in range(5) if data[f"candidates-{i}-claimant"] == "Alpine")
    response = editor_client.post(CONFIRM, {**data, f"candidates-{alpine}-claimant": "Nissan"})
    assert response.status_code == 400 and "very likely repeats a claim" in response.content.decode()
    again = review_form_data(response.content.decode())
    assert again[f"candidates-{alpine}-duplicates_seen"] == str(existing.pk)
    # Seen, the editor may still keep it as new (95-99%: the words differ).
    again[f"candidates-{alpine}-appearance_of"] = ""
    assert editor_client.post(CONFIRM, _ticked(again)).status_code == 302
    assert Claim.objects.count() == 6


def test_the_duplicates_endpoint_answers_the_script(editor_client, nissan_claim):
    response = editor_client.post(
        DUPLICATES, {"claimant": "nissan", "statement": nissan_claim.statement, "sentence": "whatever"}
    )
    assert response.status_code == 200
    (match,) = response.json()["matches"]
    assert match["claim_id"] == nissan_claim.pk and match["similarity"] == 100
    assert match["likely_same"] and match["exact"]
    assert match["url"] == reverse("admin:claims_claim_change", args=[nissan_claim.pk])
    other = editor_client.post(DUPLICATES, {"claimant": "Renault", "statement": nissan_claim.statement})
    assert other.json() == {"matches": []}


def test_the_duplicates_endpoint_refuses_huge_input_and_outsiders(client, editor_client, rita, django_user_model):
    assert editor_client.post(DUPLICATES, {"claimant": "x" * 201}).status_code == 400
    assert editor_client.post(DUPLICATES, {"statement": "x" * 2001}).status_code == 400
    assert editor_client.get(DUPLICATES, {"claimant": "Nissan"}).status_code == 405
    client.force_login(rita)
    assert client.post(DUPLICATES).status_code == 302
    client.force_login(make_user(django_user_model, "victor"))
    assert client.post(DUPLICATES).status_code == 403


def test_the_duplicates_endpoint_needs_the_pages_csrf_token(elena):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(elena)
    assert strict.post(DUPLICATES, {"claimant": "Nissan"}).status_code == 403


def test_the_duplicates_endpoint_is_one_query(editor_client, nissan_claim, django_assert_num_queries):
    # Session, user, the user's two permission sets, the claimant's claims.
    with django_assert_num_queries(5):
        editor_client.post(DUPLICATES, {"claimant": "Nissan", "statement": "Alpine is coming to the United States."})


# --- quotes ---------------------------------------------------------------------------

QUOTED = (
    "Renault's Ampere team plans to introduce cobalt-free batteries by 2028.\n\n"
    'Ampere noted, "Our next-gen batteries will recharge in under 15 minutes by 2028."'
)


def test_only_words_in_quotation_marks_become_the_quote(editor_client):
    response = paste(editor_client, **{"article-text": QUOTED})
    data = review_form_data(response.content.decode())
    assert data["candidates-0-quote"] == ""
    assert data["candidates-1-quote"] == "Our next-gen batteries will recharge in under 15 minutes by 2028."
    assert keep_all(editor_client, response).status_code == 302
    paraphrase, quoted = Claim.objects.order_by("id")
    assert paraphrase.quote == "" and paraphrase.statement.startswith("Renault's Ampere team")
    assert quoted.quote == "Our next-gen batteries will recharge in under 15 minutes by 2028."
    assert not quoted.quote.startswith('"')


def test_a_claimant_named_in_another_script_is_kept_and_found_again(editor_client):
    """Addresses are ASCII; a name like "Газпром" still makes a claimant, found by its name the next time."""
    from claims.models import Claimant

    response = keep_all(editor_client, paste(editor_client), **{"candidates-0-claimant": "Газпром"})
    assert response.status_code == 302, response.content.decode()[:3000]
    gazprom = Claimant.objects.get(name="Газпром")
    assert gazprom.slug.startswith("claimant")
    assert editor_client.get(f"/claimants/{gazprom.slug}/").status_code == 404  # a draft's claimant shows nowhere


def test_a_claimant_name_with_control_characters_is_a_form_error(editor_client):
    response = keep_all(editor_client, paste(editor_client), **{"candidates-0-claimant": "Nissan\x1b[2J"})
    assert response.status_code == 400 and "control characters" in response.content.decode()
    assert Claim.objects.count() == 0
