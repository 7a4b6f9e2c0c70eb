"""The feed's entries, marked on Claim's history rows as they are written (claims.history).

Chiara publishes, Elena rates. Every path that writes a claim's history marks its rows
by one rule, and the feed reads only the marked rows: the signal on a save, the SQL
pass after simple-history's bulk path, and migration 0011 for rows written before.
"""

import feedparser
import pytest
from simple_history.utils import bulk_update_with_history

from claims import history, services
from claims.feeds import recent_events
from claims.history import mark_public_events, mark_public_events_of
from claims.models import Claim, FeedEntry, Status, historical_claim_model
from tests.test_public_support import make_register, run_fill

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache", "frozen_day"), pytest.mark.django_db]


def marks(claim) -> list[tuple[str, str]]:
    """(feed_entry, feed_previous_status) of the claim's history rows, oldest first."""
    rows = historical_claim_model().objects.filter(id=claim.pk).order_by("history_id")
    return list(rows.values_list("feed_entry", "feed_previous_status"))


def all_marks() -> dict[int, tuple[str, str]]:
    rows = historical_claim_model().objects.values_list("history_id", "feed_entry", "feed_previous_status")
    return {history_id: (entry, previous) for history_id, entry, previous in rows}


def life_of_a_claim(claim, *, publisher, rater) -> None:
    """Draft edits, publication, a reword, a rating, unpublished, rated again, published again."""
    claim.status = Status.IN_PROGRESS
    services.save_claim(claim, by=rater, reason="Work started (still a draft)")
    services.publish(claim, by=publisher)
    claim.statement = claim.statement.replace("Nissan", "Nissan Motor")
    services.save_claim(claim, by=rater, reason="Wording")
    services.change_status(claim, Status.STALLED, by=rater, reason="Launch postponed")
    services.unpublish(claim, by=publisher, reason="Checking the source again")
    services.change_status(claim, Status.MISSED, by=rater, reason="Deadline passed", resolved_on=claim.deadline_end)
    services.publish(claim, by=publisher, reason="Source confirmed")


LIFE_MARKS = [
    ("", ""),  # created as a draft
    ("", ""),  # a draft's status: readers never saw it
    (FeedEntry.PUBLISHED, ""),
    ("", ""),  # wording only
    (FeedEntry.STATUS, Status.IN_PROGRESS),
    (FeedEntry.UNPUBLISHED, ""),  # taken off the site: for partners' copies, never shown in the feed
    ("", ""),  # rated while unpublished
    (FeedEntry.PUBLISHED, ""),  # back, as a new entry (its status is the row's)
]


def test_each_write_marks_its_row_by_the_row_before(make_claim, chiara, elena):
    claim = make_claim()
    life_of_a_claim(claim, publisher=chiara, rater=elena)
    assert marks(claim) == LIFE_MARKS


def test_the_feed_shows_the_marked_rows_in_the_words_the_claim_has_now(anonymous, make_claim, chiara, elena):
    """Each entry keeps its moment and its status; its words are the claim's now (a reworded
    statement does not live on in older entries)."""
    claim = make_claim()
    life_of_a_claim(claim, publisher=chiara, rater=elena)
    feed = feedparser.parse(anonymous.get("/claims/feed/").content)
    assert feed.bozo == 0
    titles = [entry.title for entry in feed.entries]
    assert titles == [
        f"New claim: {claim.statement}",  # republished, missed
        f"Stalled: {claim.statement}",
        f"New claim: {claim.statement}",  # first published as "Nissan ...", reworded since
    ]
    assert "Nissan will" not in anonymous.get("/claims/feed/").content.decode()
    assert "Previously: In the works." in feed.entries[1].summary
    assert "Previously" not in feed.entries[0].summary


def test_a_status_change_behind_many_edits_is_still_found(make_claim, chiara, elena):
    """Entries come from their own index: edits that make none do not push them out of the feed."""
    rated, reworded = make_claim(), make_claim()
    services.publish(rated, by=chiara)
    services.change_status(rated, Status.STALLED, by=elena, reason="Postponed")
    services.publish(reworded, by=chiara)
    for n in range(12):
        reworded.statement = f"Nissan will launch city car number {n} in Europe by 2026."
        services.save_claim(reworded, by=elena, reason="Wording")
    events = recent_events(limit=2)
    assert [(event.claim_id, event.is_new) for event in events] == [(reworded.pk, True), (rated.pk, False)]
    assert events[1].previous_status == Status.PENDING


def test_marking_in_sql_agrees_with_the_writes(make_claim, chiara, elena, monkeypatch):
    """The SQL pass (bulk writes, the benchmark's generator) and migration 0011 follow the same rule."""
    first, second, draft, gone = make_claim(), make_claim(), make_claim(), make_claim()
    life_of_a_claim(first, publisher=chiara, rater=elena)
    services.publish(second, by=chiara)
    services.change_status(second, Status.FULFILLED, by=elena, reason="Launched", resolved_on=second.deadline_end)
    services.save_claim(second, by=chiara, reason="Verdict fixed", correction="We misquoted the date.")
    services.change_status(draft, Status.STALLED, by=elena, reason="Still a draft")
    services.publish(gone, by=chiara)
    gone_pk = gone.pk
    services.tracked_delete(gone, by=chiara, reason="Duplicate")
    written = all_marks()
    kinds = sorted(entry for entry, _ in written.values() if entry)
    assert kinds == sorted(["published"] * 4 + ["status"] * 2 + ["unpublished"] * 2 + ["correction"])

    rows = historical_claim_model().objects
    rows.update(feed_entry="", feed_previous_status="")
    mark_public_events(first.pk, gone_pk + 1)
    assert all_marks() == written
    mark_public_events(first.pk, gone_pk + 1)  # again: the same marks
    assert all_marks() == written

    rows.update(feed_entry="", feed_previous_status="")
    monkeypatch.setattr(history, "IDS_PER_STATEMENT", 2)  # the bulk path's ids, a statement per two claims
    mark_public_events_of([draft.pk, first.pk, second.pk, first.pk, gone_pk])
    assert all_marks() == written

    rows.update(feed_entry="", feed_previous_status="")
    run_fill("0011_claim_history_feed_entries")
    # Migration 0011 marked the kinds of its day: corrections and takedowns came later (claims.history).
    later_kinds = {FeedEntry.UNPUBLISHED, FeedEntry.CORRECTION}
    of_its_day = {key: ("", "") if mark[0] in later_kinds else mark for key, mark in written.items()}
    assert all_marks() == of_its_day


def test_simple_historys_bulk_paths_mark_their_rows(system, elena):
    claims = make_register(3, by=system)  # bulk_create_with_history, published at once
    assert [marks(claim) for claim in claims] == [[(FeedEntry.PUBLISHED, "")]] * 3
    moved = Claim.objects.get(pk=claims[0].pk)
    before = moved.status
    moved.status = Status.WITHDRAWN if before != Status.WITHDRAWN else Status.MISSED
    bulk_update_with_history([moved], Claim, ["status"], default_user=elena, default_change_reason="Bulk rating")
    assert marks(moved) == [(FeedEntry.PUBLISHED, ""), (FeedEntry.STATUS, before)]
    assert recent_events(limit=1)[0].previous_status == before
