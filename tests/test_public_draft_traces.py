"""Drafts leave no trace in public, not even indirectly: in how a 404 is made, or in what moves the cache.

A claimant known only from drafts used to answer its 404 after a second query, a Redis
read and a template (6.3 ms against 3.8 ms for a name nobody has, median): a guesser
could tell that it exists. And adding a timeline entry to a draft moved the public
Last-Modified and emptied the whole public cache, which a reader can see.
"""

import datetime
import threading

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from claims import fragments, public_cache, services
from claims.models import Appearance, Claim, Update
from tests.test_reminders_support import wait_until

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache"), pytest.mark.django_db]


# --- a claimant known only from drafts ---------------------------------------------------


@pytest.fixture
def hidden(system, commit):
    """A claimant whose only claim is a draft, and one with no claim at all, committed as a request would."""
    with commit():
        source = services.get_or_create_source(title="Merger talk", by=system, reason="test")[0]
        services.get_or_create_claimant("Nissan", by=system, reason="test")
        claimant = services.get_or_create_claimant("Hidden Corp", by=system, reason="test")[0]
        draft = Claim(claimant=claimant, source=source, statement="Hidden Corp will merge with a rival.")
        services.save_claim(draft, by=system, reason="test")
    return claimant


def not_found(client, slug: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/claimants/{slug}/")
    return response, [query["sql"].replace(slug, "<slug>") for query in queries]


@pytest.mark.parametrize("reader", ["anonymous", "editor"])
def test_a_claimant_of_drafts_answers_as_a_claimant_nobody_has(anonymous, hidden, elena, reader):
    if reader == "editor":
        anonymous.force_login(elena)  # no page cache: the view itself answers every time
    not_found(anonymous, "warm-up")  # the query's first use on a connection; later ones are prepared (PostgreSQL)
    for _ in range(2):
        hidden_response, hidden_queries = not_found(anonymous, "hidden-corp")
        nobody_response, nobody_queries = not_found(anonymous, "nobody-corp")
        assert hidden_response.status_code == nobody_response.status_code == 404
        assert hidden_response.content == nobody_response.content
        assert hidden_queries == nobody_queries
        assert len(hidden_queries) == 1  # the claimant, only if it has a published claim


class ReadsSeen:
    """The cache as claims.fragments sees it, noting each key read."""

    def __init__(self):
        self.keys = []

    def get(self, key, *args, **kwargs):
        self.keys.append(key)
        return cache.get(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(cache, name)


def test_a_claimant_of_drafts_costs_no_redis_read(anonymous, hidden, monkeypatch):
    """The claimant's page parts (claims.fragments) are not even looked up: that read was part of the difference."""
    seen = ReadsSeen()
    monkeypatch.setattr(fragments, "cache", seen)
    assert anonymous.get("/claimants/hidden-corp/").status_code == 404
    assert seen.keys == []
    assert anonymous.get("/claimants/nissan/").status_code == 404  # no claim at all yet
    assert seen.keys == []


def test_the_claimant_appears_with_its_first_published_claim(anonymous, hidden, chiara, commit):
    claim = Claim.objects.get(claimant=hidden)
    with commit():
        services.publish(claim, by=chiara)
    assert "Hidden Corp" in anonymous.get("/claimants/hidden-corp/").content.decode()
    with commit():
        services.unpublish(claim, by=chiara)
    assert anonymous.get("/claimants/hidden-corp/").status_code == 404


# --- writes readers cannot see ------------------------------------------------------------


def generation():
    return cache.get(public_cache.GENERATION_KEY)


def stamps(*rows) -> list:
    return [type(row).objects.values_list("public_changed_at", flat=True).get(pk=row.pk) for row in rows]


@pytest.fixture
def desk(demo, system, chiara, commit):
    """The demo register, and a draft by a claimant (Nissan) and from a source that published claims share."""
    published = Claim.objects.get(slug="nissan-a-segment-ev-europe-2026")
    with commit():
        draft = Claim(
            claimant=published.claimant, source=published.source, statement="Nissan will merge with a rival by 2027."
        )
        services.save_claim(draft, by=chiara, reason="A draft")
    return published, draft


class Clock:
    """Ten seconds later at each tick: Last-Modified has whole seconds, so a move shows."""

    def __init__(self):
        self.now = datetime.datetime.now(datetime.UTC)

    def tick(self):
        self.now += datetime.timedelta(seconds=10)
        return time_machine.travel(self.now, tick=False)


def timeline_writes(claim: Claim, system, chiara):
    """Each kind of write to a claim's timeline and further appearances, through the services."""

    def update_added():
        services.add_update(claim, summary="Talks confirmed.", date=datetime.date(2026, 11, 20), by=chiara)

    def update_edited():
        update = Update.objects.get(claim=claim, summary="Talks confirmed.")
        update.summary = "Talks confirmed by both companies."
        services.record_update(update, by=chiara, reason="Wording")

    def update_deleted():
        services.tracked_delete(Update.objects.get(claim=claim, date="2026-11-20"), by=chiara, reason="Wrong claim")

    def appearance_added():
        other = services.get_or_create_source(title=f"Report on {claim.pk}", by=system, reason="test")[0]
        services.add_appearance(claim, other, by=chiara, reason="Repeated", quote="merge")

    def appearance_edited():
        appearance = Appearance.objects.get(claim=claim)
        appearance.quote = "a merger"
        services.tracked_save(appearance, by=chiara, reason="Quote")

    def appearance_deleted():
        services.tracked_delete(Appearance.objects.get(claim=claim), by=chiara, reason="Not the same claim")

    return [update_added, update_edited, update_deleted, appearance_added, appearance_edited, appearance_deleted]


def test_the_timeline_of_a_draft_moves_nothing_public(anonymous, desk, system, chiara, commit):
    published, draft = desk
    clock = Clock()
    first = anonymous.get("/claims/")
    before = (generation(), stamps(published, published.claimant))
    for write in timeline_writes(draft, system, chiara):
        with clock.tick(), commit() as callbacks:
            write()
        assert "invalidate_after_commit" not in {callback.__name__ for callback in callbacks}, write.__name__
        assert (generation(), stamps(published, published.claimant)) == before, write.__name__
        with clock.tick():
            again = anonymous.get("/claims/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert again.status_code == 304, write.__name__


def test_the_timeline_of_a_published_claim_moves_it_all(anonymous, desk, system, chiara, commit):
    published, _draft = desk
    clock = Clock()
    for write in timeline_writes(published, system, chiara):
        with clock.tick():
            first = anonymous.get("/claims/")
        before = (generation(), stamps(published))
        with clock.tick(), commit():
            write()
        assert generation() != before[0], write.__name__
        assert stamps(published) != before[1], write.__name__
        with clock.tick():
            again = anonymous.get("/claims/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert again.status_code == 200 and again["Last-Modified"] != first["Last-Modified"], write.__name__


def test_editing_a_draft_leaves_its_claimants_page_alone(desk, chiara, commit):
    published, draft = desk
    before = (generation(), stamps(published.claimant))
    with commit():
        draft.statement = "Nissan will merge with a rival by 2028."
        services.save_claim(draft, by=chiara, reason="Wording")
        services.change_status(draft, "stalled", by=chiara, reason="Talks paused")
        services.tracked_delete(draft, by=chiara, reason="Not a claim")
    assert (generation(), stamps(published.claimant)) == before


def test_claimants_and_sources_of_drafts_alone_move_nothing(desk, system, chiara, commit):
    """As intake writes them: a new source and a new claimant for a draft, then corrected."""
    published, _draft = desk
    before = (generation(), stamps(published, published.claimant))
    with commit():
        source = services.get_or_create_source(title="Merger talk", by=system, reason="intake")[0]
        claimant = services.get_or_create_claimant("Rival Motors", by=system, reason="intake")[0]
        services.save_claim(Claim(claimant=claimant, source=source, statement="Rival Motors will merge."), by=chiara,
                            reason="intake")  # fmt: skip
    with commit():
        source.title, claimant.name = "Merger talks", "Rival Motor Co."
        services.tracked_save(source, by=chiara, reason="Title")
        services.tracked_save(claimant, by=chiara, reason="Name")
    assert (generation(), stamps(published, published.claimant)) == before
    with commit():
        published.claimant.name = "Nissan Motor"
        services.tracked_save(published.claimant, by=chiara, reason="Full name")
    assert generation() != before[0]
    assert stamps(published, published.claimant) != before[1]


@pytest.mark.parametrize("order", ["unpublish-first", "update-first"])
def test_a_claim_unpublished_in_the_same_transaction_still_moves_it(anonymous, desk, chiara, commit, order):
    published, _draft = desk
    assert published.slug in anonymous.get("/claims/").content.decode()
    before = generation()
    with commit() as callbacks:
        if order == "unpublish-first":
            services.unpublish(published, by=chiara)
        services.add_update(published, summary="Withdrawn pending a correction.", by=chiara)
        if order == "update-first":
            services.unpublish(published, by=chiara)
    assert [c.__name__ for c in callbacks].count("invalidate_after_commit") == 1
    assert generation() != before
    assert published.slug not in anonymous.get("/claims/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_timeline_update_racing_the_claims_publication_is_not_lost(anonymous, make_claim, system, chiara, settings):
    """The update checked the claim while a draft; the claim is published before the update commits.

    The update's stamp holds the claim's row, so the publication waits for it and moves the
    generation on after it: no reader caches the published page without the update.
    """
    if connection.vendor != "postgresql":
        pytest.skip("Two connections writing at once, with row locks: needs PostgreSQL (DATABASE_URL=postgres://...).")
    settings.PUBLIC_CACHE_LOCAL_SECONDS = 0
    draft = make_claim(slug="racing")
    written, commit_update, errors = threading.Event(), threading.Event(), []

    def in_thread(work):
        def run():
            try:
                work()
            except Exception as error:  # reported by the test below
                errors.append(error)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def update():
        with transaction.atomic():
            services.add_update(Claim.objects.get(pk=draft.pk), summary="RACING-UPDATE", by=system)
            written.set()
            commit_update.wait(timeout=30)

    updater = in_thread(update)
    assert written.wait(timeout=30)
    publisher = in_thread(lambda: services.publish(Claim.objects.get(pk=draft.pk), by=chiara))
    wait_until(lambda: not publisher.is_alive() or waiting_for_a_lock(), timeout=10, what="the publication")
    anonymous.get("/claims/racing/")  # a reader between the two commits
    commit_update.set()
    updater.join(timeout=30)
    publisher.join(timeout=30)
    assert errors == []
    assert "RACING-UPDATE" in anonymous.get("/claims/racing/").content.decode()


def waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0
