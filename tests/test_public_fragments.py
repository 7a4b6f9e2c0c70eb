"""Claim and claimant pages keep their parts per version: reused until what they show changes, never after."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import fragments, public_cache, services
from claims.models import Claim, Claimant, Precision, Status
from tests.test_public_support import FROZEN_TODAY

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache", "frozen_day"), pytest.mark.django_db]

CLAIM = "/claims/alpine-united-states/"
CLAIMANT = "/claimants/alpine/"


@pytest.fixture(autouse=True)
def no_response_cache(settings):
    """Whole pages never come from the response cache here: what is reused is the parts."""
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.PUBLIC_FRAGMENT_SECONDS = 3600


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def queries_for(client, url) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        page = text(client.get(url))
    return page, len(queries)


def alpine_claim() -> Claim:
    return Claim.objects.get(slug="alpine-united-states")


def test_a_claim_page_seen_before_costs_one_query(anonymous, demo):
    first, first_queries = queries_for(anonymous, CLAIM)
    again, queries = queries_for(anonymous, CLAIM)
    assert again == first and "Alpine will start selling its cars in the United States" in again
    assert queries == 1 < first_queries  # the claim's id and version, by its slug


@pytest.mark.parametrize(
    "change, shown",
    [
        (lambda claim, by: services.change_status(claim, Status.STALLED, by=by, reason="No news"), "Status Stalled"),
        (
            lambda claim, by: services.add_update(claim, summary="Dealers named in Texas.", by=by),
            "Dealers named in Texas.",
        ),
        (lambda claim, by: rename_claimant(claim.claimant_id, "Alpine Cars", by), "Claim by Alpine Cars"),
        (lambda claim, by: retitle_source(claim.source_id, "Alpine goes west", by), "Alpine goes west"),
        (lambda claim, by: add_appearance(claim, "Second report", by), "Second report"),
    ],
    ids=["status", "update", "claimant", "source", "appearance"],
)
def test_every_change_readers_can_see_shows_at_once(anonymous, demo, chiara, commit, change, shown):
    before = text(anonymous.get(CLAIM))
    assert shown not in before
    with commit():
        change(alpine_claim(), chiara)
    assert shown in text(anonymous.get(CLAIM))


def add_appearance(claim: Claim, title: str, by) -> None:
    source = services.get_or_create_source(title=title, url="https://news.example/2", by=by, reason="New report")[0]
    services.add_appearance(claim, source, by=by, reason="Also reported")


def rename_claimant(claimant_id: int, name: str, by) -> None:
    claimant = Claimant.objects.get(pk=claimant_id)
    claimant.name = name
    services.tracked_save(claimant, by=by, reason="Renamed")


def retitle_source(source_id: int, title: str, by) -> None:
    source = alpine_claim().source
    assert source.pk == source_id
    source.title = title
    services.tracked_save(source, by=by, reason="Title corrected")


def test_notes_and_assignees_do_not_cost_readers_a_new_page(anonymous, demo, chiara, commit):
    anonymous.get(CLAIM)
    with commit():
        claim = alpine_claim()
        claim.notes = "Call the press office."
        services.save_claim(claim, by=chiara, reason="Note")
        services.assign(claim, chiara, by=chiara)
    assert queries_for(anonymous, CLAIM)[1] == 1


def test_an_unpublished_claim_is_gone_at_once(anonymous, demo, chiara, commit):
    anonymous.get(CLAIM)
    with commit():
        services.unpublish(alpine_claim(), by=chiara)
    assert anonymous.get(CLAIM).status_code == 404


def test_two_changes_in_the_same_instant_both_show(anonymous, demo, chiara, commit):
    """The clock is frozen here: the stamps still move on, one microsecond at a time."""
    anonymous.get(CLAIM)
    with commit():
        services.change_status(alpine_claim(), Status.STALLED, by=chiara, reason="No news")
    assert "Our verdict" not in text(anonymous.get(CLAIM))
    with commit():
        claim = alpine_claim()
        claim.verdict = "No dealer network yet."
        services.save_claim(claim, by=chiara, reason="Verdict")
    assert "No dealer network yet." in text(anonymous.get(CLAIM))


def test_days_left_move_on_at_midnight(anonymous, demo, chiara, commit):
    alpine = alpine_claim()
    due = FROZEN_TODAY.date() + datetime.timedelta(days=10)
    with commit():
        claim = Claim(
            statement="Alpine will open a showroom in Denver.",
            claimant=alpine.claimant,
            source=alpine.source,
            deadline_precision=Precision.DAY,
            deadline_start=due,
            deadline_end=due,
        )
        services.publish(services.save_claim(claim, by=chiara, reason="New claim"), by=chiara)
    assert "10 days left" in text(anonymous.get(claim.get_absolute_url()))
    assert queries_for(anonymous, claim.get_absolute_url()) == (text(anonymous.get(claim.get_absolute_url())), 1)
    with time_machine.travel(FROZEN_TODAY + datetime.timedelta(days=1), tick=False):
        assert "9 days left" in text(anonymous.get(claim.get_absolute_url()))


def test_a_part_made_for_other_settings_is_not_used(anonymous, demo, settings):
    rated = "/claims/example-motors-pack-cost-under-100-usd-kwh/"  # its ClaimReview links to it on SITE_URL
    assert f"{settings.SITE_URL}{rated}" in anonymous.get(rated).content.decode()
    settings.SITE_URL = "https://elsewhere.example"
    fragments.release.cache_clear()
    try:
        page = anonymous.get(rated).content.decode()
    finally:
        fragments.release.cache_clear()
    assert f"https://elsewhere.example{rated}" in page


def test_parts_can_be_turned_off(anonymous, demo, settings):
    settings.PUBLIC_FRAGMENT_SECONDS = 0
    anonymous.get(CLAIM)
    assert queries_for(anonymous, CLAIM)[1] > 1


def test_a_claimant_page_seen_before_costs_one_query(anonymous, demo):
    first, first_queries = queries_for(anonymous, CLAIMANT)
    again, queries = queries_for(anonymous, CLAIMANT)
    assert again == first and queries == 1 < first_queries


def test_a_claimant_page_follows_its_claims(anonymous, demo, chiara, commit):
    record_before = text(anonymous.get(CLAIMANT))
    with commit():
        services.change_status(alpine_claim(), Status.STALLED, by=chiara, reason="No news")
    assert "Stalled 1" in text(anonymous.get(CLAIMANT)) and "Stalled 1" not in record_before
    with commit():
        services.unpublish(alpine_claim(), by=chiara)
    assert anonymous.get(CLAIMANT).status_code == 404  # its only published claim


def test_a_claim_moved_to_another_claimant_leaves_the_first_page(anonymous, demo, chiara, commit):
    other = Claim.objects.published().exclude(claimant__slug="alpine").first()
    other_page = other.claimant.get_absolute_url()
    assert "Alpine will start selling" not in text(anonymous.get(other_page))
    anonymous.get(CLAIMANT)
    with commit():
        claim = alpine_claim()
        claim.claimant = other.claimant
        services.save_claim(claim, by=chiara, reason="Wrong claimant")
    assert "Alpine will start selling" in text(anonymous.get(other_page))
    assert anonymous.get(CLAIMANT).status_code == 404  # Alpine has no other claim in the demo


def test_other_parameters_are_dropped_so_such_addresses_are_the_plain_page(anonymous, demo, chiara, commit):
    """Parameters the page does not use never reach it (claims.public_cache.keep_parameters): the
    pager does not echo them, and the parts kept for the page number serve such addresses too."""
    alpine = alpine_claim()
    with commit():
        for number in range(26):
            claim = Claim(
                statement=f"Alpine will open showroom number {number}.",
                claimant=alpine.claimant,
                source=alpine.source,
                deadline_precision=Precision.NONE,
            )
            services.publish(services.save_claim(claim, by=chiara, reason="Showrooms"), by=chiara)
    plain = anonymous.get(CLAIMANT).content.decode()
    tagged = anonymous.get(f"{CLAIMANT}?ref=newsletter").content.decode()
    assert tagged == plain and "ref=newsletter" not in tagged and "page=2" in tagged  # the pager's link
    assert queries_for(anonymous, f"{CLAIMANT}?ref=other&page=1")[1] == 1  # the part of the plain address


def test_a_bulk_write_that_stamps_its_claims_shows(anonymous, demo, commit):
    """Bulk writes send no signals: public_cache.stamp_claims is what makes their pages change."""
    anonymous.get(CLAIM)
    anonymous.get(CLAIMANT)
    with commit():
        alpine = Claim.objects.filter(slug="alpine-united-states")
        alpine.update(statement="Alpine will sell cars in Canada.")  # a bulk correction, no history here
        public_cache.stamp_claims(alpine)
    assert "Alpine will sell cars in Canada." in text(anonymous.get(CLAIM))
    assert "Alpine will sell cars in Canada." in text(anonymous.get(CLAIMANT))
