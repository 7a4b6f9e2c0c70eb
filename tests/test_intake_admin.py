"""Admin intake: an editor pastes an article, reviews the candidates and keeps them in one step."""

import datetime
import html
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Appearance, Claim, Claimant, Precision, Source
from tests.conftest import make_user

STORY = (Path(__file__).parent / "intake_data" / "nissan_twingo_article.txt").read_text(encoding="utf-8")
ARTICLE = {
    "article-title": "Nissan's Twingo-based city car and Ampere's batteries",
    "article-url": "https://news.example/nissan-twingo",
    "article-publisher": "Daily Example",
    "article-published_on": "2025-05-15",
    "article-text": STORY,
}
START = reverse("intake:start")
CONFIRM = reverse("intake:confirm")


@pytest.fixture
def editor_client(client, elena):
    client.force_login(elena)
    return client


def review_form_data(page: str) -> dict:
    """The review page's form as a browser would submit it (inputs, textareas, selected options)."""
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        data[name] = _unescape(value)
    for name, value in re.findall(r'<input type="(?:text|date|number)" name="([^"]+)" value="([^"]*)"', page):
        data[name] = _unescape(value)
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>\n?(.*?)</textarea>', page, re.S):
        data[name] = _unescape(value)
    for name, value in re.findall(r'<input type="radio" name="([^"]+)" value="([^"]*)" checked', page):
        data[name] = _unescape(value)
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = _unescape(selected.group(1)) if selected else ""
    return data


def _unescape(value: str) -> str:
    return html.unescape(value)


def paste(client, **overrides):
    return client.post(START, {**ARTICLE, **overrides})


def keep_all(client, response, **overrides):
    data = review_form_data(response.content.decode())
    total = int(data["candidates-TOTAL_FORMS"])
    for index in range(total):
        data[f"candidates-{index}-keep"] = "on"
    data.update(overrides)
    return client.post(CONFIRM, data)


def test_the_admin_index_links_to_intake(editor_client):
    assert START in editor_client.get(reverse("admin:index")).content.decode()


def test_pasting_the_story_lists_its_candidates_and_saves_nothing(editor_client):
    response = paste(editor_client)
    page = response.content.decode()
    assert response.status_code == 200
    assert "5 candidates found" in page
    data = review_form_data(page)
    assert [data[f"candidates-{i}-claimant"] for i in range(5)] == ["Nissan", "Nissan", "Renault", "Ampere", "Alpine"]
    assert data["candidates-0-deadline_end"] == "2026-12-31" and data["candidates-0-deadline_precision"] == "year"
    target = [data[f"candidates-2-target_{part}"] for part in ("comparator", "value", "unit")]
    assert target == ["<", "20000", "EUR"]
    assert data["candidates-3-target_quantity"] == "recharge time"
    assert Source.objects.count() == 0 and Claim.objects.count() == 0 and Claimant.objects.count() == 0


def test_the_editor_keeps_the_storys_claims_in_one_step(editor_client, elena):
    response = keep_all(editor_client, paste(editor_client))
    source = Source.objects.get()
    assert response.status_code == 302 and response.url == reverse("intake:done", args=[source.pk])
    assert (source.url, source.published_on, source.body) == (ARTICLE["article-url"], datetime.date(2025, 5, 15), STORY)
    claims = {claim.claimant.name: claim for claim in Claim.objects.select_related("claimant").order_by("id")}
    assert Claim.objects.count() == 5 and Claim.objects.drafts().count() == 5
    nissan = Claim.objects.filter(claimant__name="Nissan").order_by("id").first()
    assert (nissan.deadline_text, nissan.deadline_start, nissan.deadline_end, nissan.deadline_precision) == (
        "by 2026", datetime.date(2025, 5, 15), datetime.date(2026, 12, 31), Precision.YEAR,
    )  # fmt: skip
    assert claims["Renault"].target_display == "starting price < 20,000 EUR"
    assert claims["Ampere"].deadline_end == datetime.date(2028, 12, 31)
    assert claims["Ampere"].target_display == "recharge time < 15 min"
    assert claims["Alpine"].deadline_precision == Precision.NONE and "United States" in claims["Alpine"].statement
    # The story quotes nobody: the journalist's sentences are statements, never quotes.
    assert not any(claim.quote for claim in Claim.objects.all())
    for claim in Claim.objects.all():
        history = claim.history.latest()
        assert (history.history_change_reason, history.history_user) == ("intake", elena)
        assert claim.source == source and claim.assignee == elena
    assert source.history.latest().history_change_reason == "intake"
    page = editor_client.get(response.url).content.decode()
    assert "recharge time &lt; 15 min" in page and "draft" in page


def test_resubmitting_the_same_article_reuses_its_source_and_never_copies_a_claim(editor_client):
    # This used to save the five repeats again as new claims: exact copies of the register.
    keep_all(editor_client, paste(editor_client))
    second = paste(editor_client)
    page = second.content.decode()
    nissan = Claim.objects.filter(claimant__name="Nissan").order_by("id").first()
    assert "Possible duplicate" in page and reverse("admin:claims_claim_change", args=[nissan.pk]) in page
    data = review_form_data(page)
    # Each candidate is its earlier claim word for word: "further appearance" is proposed for all.
    assert data["candidates-0-appearance_of"] == str(nissan.pk)
    assert all(data[f"candidates-{i}-appearance_of"] for i in range(5))
    # Keeping one as a new claim anyway is refused: the register would hold the same claim twice.
    response = keep_all(editor_client, second, **{"candidates-1-appearance_of": ""})
    assert response.status_code == 400 and "already in the register, word for word" in response.content.decode()
    assert Claim.objects.count() == 5
    # With the proposed choices nothing is duplicated (the same source is no further appearance).
    response = keep_all(editor_client, second)
    assert response.status_code == 302
    assert Source.objects.count() == 1 and Claim.objects.count() == 5


def test_a_repeat_in_another_article_becomes_a_further_appearance(editor_client, make_claim, claimant):
    existing = make_claim(quote="expected to debut a small A-segment electric car across Europe by 2026")
    other = make_claim(statement="Nissan will close its Sunderland paint shop by 2030.")
    response = paste(editor_client, **{"article-url": "https://other.example/nissan"})
    page = response.content.decode()
    assert reverse("admin:claims_claim_change", args=[existing.pk]) in page
    assert reverse("admin:claims_claim_change", args=[other.pk]) not in page
    data = review_form_data(page)
    data.update({"candidates-0-keep": "on", "candidates-0-appearance_of": str(existing.pk)})
    assert editor_client.post(CONFIRM, data).status_code == 302
    appearance = Appearance.objects.get()
    assert appearance.claim == existing and appearance.source.url == "https://other.example/nissan"
    assert appearance.history.latest().history_change_reason == "intake"
    assert Claim.objects.count() == 2


def test_the_duplicate_lookup_is_one_query_however_many_candidates(
    editor_client, make_claim, django_assert_num_queries
):
    make_claim()
    # Session, user, the user's two permission sets, the existing claims of all named
    # claimants at once (nothing per candidate: the story has five, from four claimants),
    # and the review's one-time token (the editor's expired ones deleted, a new one saved).
    with django_assert_num_queries(7):
        paste(editor_client)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"article-text": "   "}, "The article is empty."),
        ({"article-title": ""}, "This field is required."),
        ({"article-published_on": "15/05/2025x"}, "Enter a valid date."),
        ({"article-published_on": "2062-05-15"}, "is in the future; check the year."),
        ({"article-published_on": "0202-05-15"}, "before 1900 is surely a typing mistake"),
    ],
)
def test_bad_input_is_refused_and_the_pasted_text_comes_back(editor_client, overrides, message):
    response = paste(editor_client, **overrides)
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    if overrides.get("article-text", "x").strip():
        assert "Ampere, Renault&#x27;s electric-vehicle and software unit" in page
    assert Source.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"caf\xe9 au lait", "not UTF-8 text"),
        (b"x" * 1_048_577, "Split it"),
    ],
)
def test_a_bad_upload_is_refused_with_a_clear_message(editor_client, content, message):
    upload = SimpleUploadedFile("article.txt", content, content_type="text/plain")
    response = paste(editor_client, **{"article-text": "", "article-upload": upload})
    assert response.status_code == 200 and message in response.content.decode()
    assert html.escape(ARTICLE["article-title"]) in response.content.decode()  # the metadata typed so far stays


def test_an_uploaded_article_is_read_as_utf8(editor_client):
    upload = SimpleUploadedFile("story.txt", STORY.encode("utf-8-sig"), content_type="text/plain")
    response = paste(editor_client, **{"article-text": "", "article-upload": upload})
    assert "5 candidates found" in response.content.decode()


def test_an_invalid_candidate_is_refused_and_nothing_is_saved(editor_client):
    response = keep_all(
        editor_client,
        paste(editor_client),
        **{"candidates-0-deadline_start": "2027-01-01", "candidates-2-claimant": "", "candidates-3-target_value": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "The deadline cannot start after it ends." in page
    assert "Name who makes it." in page and "A target needs both a comparator and a value." in page
    assert "Ampere, Renault&#x27;s electric-vehicle" in page  # the article is still carried
    assert Source.objects.count() == 0 and Claim.objects.count() == 0


def test_keeping_nothing_saves_nothing(editor_client):
    data = review_form_data(paste(editor_client).content.decode())
    response = editor_client.post(CONFIRM, data)
    assert response.status_code == 400 and "Tick at least one candidate" in response.content.decode()
    assert Source.objects.count() == 0


def test_edit_goes_back_to_the_article_with_the_text(editor_client):
    data = review_form_data(paste(editor_client).content.decode())
    response = editor_client.post(START, {**data, "edit": "Edit the article"})
    assert "Find claims" in response.content.decode() and "AmpR Small platform" in response.content.decode()


def test_readers_never_reach_intake(client, rita):
    client.force_login(rita)
    for response in (client.get(START), client.post(START, ARTICLE), client.post(CONFIRM, {})):
        assert response.status_code == 302 and reverse("admin:login") in response.url
    assert Source.objects.count() == 0


def test_staff_without_the_add_claim_permission_are_refused(client, django_user_model):
    viewer = make_user(django_user_model, "victor")
    client.force_login(viewer)
    assert client.get(START).status_code == 403
    assert client.post(CONFIRM, {}).status_code == 403


def test_the_saved_page_costs_the_same_however_many_claims(editor_client, django_assert_num_queries):
    done = keep_all(editor_client, paste(editor_client)).url
    # Session, user, permissions (2), source, its claims with claimants, its appearances.
    with django_assert_num_queries(7):
        page = editor_client.get(done).content.decode()
    assert page.count("draft</td>") == 5


def test_a_claimant_without_letters_is_refused(editor_client):
    response = keep_all(editor_client, paste(editor_client), **{"candidates-0-claimant": "—"})
    assert response.status_code == 400 and "letters or digits" in response.content.decode()
    assert Claim.objects.count() == 0


def test_pasting_and_uploading_at_once_is_refused_and_keeps_the_paste(editor_client):
    upload = SimpleUploadedFile("story.txt", b"Renault will launch it next year.", content_type="text/plain")
    response = paste(editor_client, **{"article-upload": upload})
    page = response.content.decode()
    assert "not both" in page and "AmpR Small platform" in page
    assert Source.objects.count() == 0


def test_a_leap_day_without_a_year_is_listed_and_kept(editor_client):
    # Said after 29 February 2024, "by February 29" is 29 February 2028 (it used to be a 500).
    article = "Acme will open the plant by February 29.\n\nAcme will hire 500 people within three years."
    response = paste(editor_client, **{"article-text": article, "article-published_on": "2024-03-10"})
    assert response.status_code == 200
    assert keep_all(editor_client, response).status_code == 302
    ends = sorted(Claim.objects.values_list("deadline_end", flat=True))
    assert ends == [datetime.date(2027, 3, 10), datetime.date(2028, 2, 29)]
