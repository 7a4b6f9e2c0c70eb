"""What readers see of issue 14: the right of reply, the methodology page, and the completed ClaimReview markup."""

import datetime
import json

import extruct
import pytest
from django.utils import timezone
from lxml import html as lxml_html

from claims import services
from claims.models import STATUS_DEFINITIONS, Claim, Claimant, MethodologyText, Status
from tests.test_public_support import FROZEN_TODAY

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache", "frozen_day"), pytest.mark.django_db]
D = datetime.date


@pytest.fixture
def published(make_claim, commit):
    with commit():
        return make_claim(published_at=FROZEN_TODAY - datetime.timedelta(days=30))


def reply_to(claim, commit, by, **fields):
    for name, value in fields.items():
        setattr(claim, name, value)
    with commit():
        services.save_claim(claim, by=by, reason="Right of reply")
    claim.refresh_from_db()
    return claim


def box(anonymous, claim) -> str:
    page = lxml_html.fromstring(anonymous.get(claim.get_absolute_url()).content)
    found = page.xpath('//section[@id="right-of-reply"]')
    return " ".join(found[0].text_content().split()) if found else ""


# --- right of reply ------------------------------------------------------------------------


def test_the_reply_box_says_who_was_asked_and_what_they_replied(anonymous, published, commit, elena):
    assert box(anonymous, published) == ""
    reply_to(published, commit, elena, reply_requested_on=D(2026, 3, 3))
    assert "We asked Nissan for comment on 3 March 2026; we will add their reply here." in box(anonymous, published)
    reply_to(
        published, commit, elena, reply_on=D(2026, 3, 5), reply_text="We stand by our plan.",
        reply_url="https://nissan.example/statement",
    )  # fmt: skip
    text = box(anonymous, published)
    assert text.startswith("Right of reply We asked Nissan for comment on 3 March 2026; they replied on 5 March:")
    assert "We stand by our plan." in text and "Their reply in full" in text
    row = Claim.history.filter(id=published.pk).latest("history_id")
    assert row.reply_text == "We stand by our plan." and row.history_user == elena  # written with history


def test_no_reply_by_a_day_is_said_and_shown_in_the_timeline(anonymous, published, commit, elena):
    reply_to(published, commit, elena, reply_requested_on=D(2026, 3, 3), no_reply_by=D(2026, 3, 10))
    assert "Nissan had not replied by 10 March 2026." in box(anonymous, published)
    page = lxml_html.fromstring(anonymous.get(published.get_absolute_url()).content)
    titles = [" ".join(t.text_content().split()) for t in page.xpath('//li[contains(@class, "entry--reply")]')]
    assert titles == ["3 March 2026 Asked Nissan for comment", "10 March 2026 No reply from Nissan by this day"]


def test_reply_rules_are_checked(published, elena):
    published.reply_text = "Fine."
    with pytest.raises(Exception, match="asked for comment"):
        services.save_claim(published, by=elena, reason="Reply without the request")
    published.refresh_from_db()
    published.reply_requested_on, published.reply_on = D(2026, 3, 3), D(2026, 3, 1)
    with pytest.raises(Exception, match="before they were asked"):
        services.save_claim(published, by=elena, reason="Reply before the request")


def test_the_api_carries_the_right_of_reply_and_the_status_definition(anonymous, published, commit, elena):
    url = f"/api/claims/{published.slug}/"
    assert anonymous.get(url).json()["right_of_reply"] is None
    reply_to(
        published, commit, elena, reply_requested_on=D(2026, 3, 3), reply_on=D(2026, 3, 5),
        reply_text="We stand by our plan.", reply_url="https://nissan.example/statement",
    )  # fmt: skip
    expected = {
        "asked_on": "2026-03-03",
        "replied_on": "2026-03-05",
        "text": "We stand by our plan.",
        "url": "https://nissan.example/statement",
        "no_reply_by": None,
    }
    detail = anonymous.get(url).json()
    assert detail["right_of_reply"] == expected
    assert detail["status_definition"] == STATUS_DEFINITIONS[Status.PENDING]
    (listed,) = [c for c in anonymous.get("/api/claims/").json()["results"] if c["slug"] == published.slug]
    assert listed["right_of_reply"] == expected


# --- methodology ---------------------------------------------------------------------------


@pytest.mark.review_rule
def test_the_methodology_page_lists_every_status_with_its_definition(anonymous):
    response = anonymous.get("/methodology/")
    assert response.status_code == 200
    page = lxml_html.fromstring(response.content)
    for status in Status:
        (entry,) = page.xpath(f'//div[@id="status-{status.value}"]')
        assert status.label in entry.xpath("string(dt)") and entry.xpath("string(dd)") == status.definition
    text = " ".join(page.text_content().split())
    assert "“By 2026” is the end of 2026" in text
    assert "a chief editor other than the submitter approves it" in text
    assert page.xpath('//a[@href="/corrections/"]') and page.xpath('//a[@href="/suggest/"]')


def test_every_page_links_to_the_methodology_in_its_footer(anonymous, published):
    for url in ("/", "/claims/", published.get_absolute_url(), "/corrections/", "/deadlines/", "/methodology/"):
        page = lxml_html.fromstring(anonymous.get(url).content)
        assert page.xpath('//footer//a[@href="/methodology/"]'), url


def test_the_newsrooms_text_is_edited_in_the_admin_with_history_and_the_cached_page_follows(
    client, anonymous, chiara, elena, commit, django_assert_num_queries
):
    anonymous.get("/methodology/")
    with django_assert_num_queries(0):  # from the public page cache
        assert anonymous.get("/methodology/").status_code == 200
    client.force_login(elena)
    assert client.get("/admin/claims/methodologytext/add/").status_code == 403
    client.force_login(chiara)
    with commit():
        response = client.post(
            "/admin/claims/methodologytext/add/",
            {"introduction": "We are the Example desk.", "corrections_policy": "", "contact": "desk@example.org",
             "change_reason": "Our own words"},
        )  # fmt: skip
    assert response.status_code == 302
    text = MethodologyText.objects.get()
    assert text.history.get().history_change_reason == "Our own words"
    page = anonymous.get("/methodology/").content.decode()
    assert "We are the Example desk." in page and 'href="mailto:desk@example.org"' in page
    assert client.get("/admin/claims/methodologytext/").url == f"/admin/claims/methodologytext/{text.pk}/change/"
    with pytest.raises(Exception, match="Only chief editors"):
        services.save_methodology(by=elena, reason="mine", contact="x")


# --- ClaimReview ---------------------------------------------------------------------------


def claim_reviews(anonymous, claim) -> list[dict]:
    """The page's JSON-LD, read by extruct, and the same script element parsed by an HTML parser."""
    body = anonymous.get(claim.get_absolute_url()).content.decode()
    found = extruct.extract(body, base_url="http://127.0.0.1:8000/", syntaxes=["json-ld"])["json-ld"]
    scripts = lxml_html.fromstring(body).xpath('//script[@type="application/ld+json"]')
    assert [json.loads(script.text) for script in scripts] == found
    return found


def test_every_claim_review_field(anonymous, make_claim, system, commit, django_user_model):
    nissan = Claimant.objects.get(name="Nissan")
    nissan.url = "https://www.nissan.example/"
    services.tracked_save(nissan, by=system, reason="test")
    again = services.get_or_create_source(
        title="Nissan repeats its plan", url="https://news.example/repeat", publisher="Other Daily",
        published_on=D(2025, 9, 1), by=system, reason="test",
    )[0]  # fmt: skip
    with commit():
        claim = make_claim(
            statement="Nissan will launch an affordable electric city car in every European market by 2026.",
            claim_reviewed="Nissan: an affordable EV city car across Europe by 2026",
            status=Status.MISSED, verdict="No such car was on sale by 31 December 2026.",
            resolved_on=D(2026, 11, 1), published_at=timezone.now(),
        )  # fmt: skip
        services.add_appearance(claim, again, by=system, reason="test", quote="by 2026, everywhere")
    (review,) = claim_reviews(anonymous, claim)
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "Nissan: an affordable EV city car across Europe by 2026"
    assert len(review["claimReviewed"]) <= 75
    assert review["author"] == {
        "@type": "Organization",
        "name": "factcheck newsroom",
        "url": "http://127.0.0.1:8000",
        "publishingPrinciples": "http://127.0.0.1:8000/methodology/",
    }
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {
        "@type": "Organization",
        "name": "Nissan",
        "sameAs": "https://www.nissan.example/",
        "url": "http://127.0.0.1:8000/claimants/nissan/",
    }
    assert item["datePublished"] == "2025-05-15"
    assert [work["url"] for work in item["appearance"]] == [
        "https://news.example/city-car",
        "https://news.example/repeat",
    ]
    assert item["firstAppearance"]["url"] == "https://news.example/city-car"
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "Missed",
        "ratingExplanation": "No such car was on sale by 31 December 2026.",
    }
