"""Searching claims by words: statement, quote and claimant's name, every word required, indexes used."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from claims import models, services
from claims.models import Claim

pytest_plugins = ["tests.test_public_support"]
pytestmark = [pytest.mark.usefixtures("public_cache"), pytest.mark.django_db]


@pytest.fixture
def register(make_claim, system):
    renault = services.get_or_create_claimant("Renault Group", by=system, reason="test")[0]
    published = {"published_at": timezone.now()}
    return {
        "twingo": make_claim(statement="The Twingo will cost under 20,000 EUR.", claimant=renault, **published),
        "battery": make_claim(
            statement="Cobalt-free batteries by 2028.", quote="«Nous visons 2028»", claimant=renault, **published
        ),
        "nissan": make_claim(statement="A small electric car for Europe by 2026.", **published),  # by Nissan
        "vans": make_claim(statement="The first 1000 vans by 2026.", **published),
        "draft": make_claim(statement="The Twingo draft nobody may find.", claimant=renault),
    }


def found(anonymous, query: str) -> set[str]:
    response = anonymous.get("/api/claims/", {"q": query})
    assert response.status_code == 200
    return {item["slug"] for item in response.json()["results"]}


def slugs(register, *names) -> set[str]:
    return {register[name].slug for name in names}


@pytest.mark.parametrize("limit", [models.MAX_RELATED_IN_SEARCH, 0])  # 0: through a subquery
def test_every_word_must_appear_in_the_statement_the_quote_or_the_claimants_name(
    anonymous, register, monkeypatch, limit
):
    monkeypatch.setattr(models, "MAX_RELATED_IN_SEARCH", limit)
    assert found(anonymous, "twingo") == slugs(register, "twingo")  # never the draft
    assert found(anonymous, "RENAULT") == slugs(register, "twingo", "battery")  # the claimant's name, any case
    assert found(anonymous, "visons") == slugs(register, "battery")  # the quote
    assert found(anonymous, "renault 2028") == slugs(register, "battery")  # every word, anywhere
    assert found(anonymous, "nissan europe") == slugs(register, "nissan")
    assert found(anonymous, "renault europe") == set()
    assert found(anonymous, "1000") == slugs(register, "vans")
    assert found(anonymous, "100%_") == set()  # LIKE's own characters are searched as text, not as wildcards


def test_the_list_page_finds_the_same_claims(anonymous, register):
    html = anonymous.get("/claims/", {"q": "renault 2028"}).content.decode()
    assert "Cobalt-free batteries by 2028." in html and "The Twingo will cost" not in html


def test_a_search_can_read_the_trigram_indexes(register):
    if connection.vendor != "postgresql":
        pytest.skip("The trigram indexes are PostgreSQL's (migration 0007).")
    query = Claim.objects.order_by().mentioning("batteries")
    with connection.cursor() as cursor:
        # A table this small is read whole anyway; forbidding that shows whether the
        # indexes match the expressions Django writes for icontains.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "claims_claim_statement_trgm" in plan and "claims_claim_quote_trgm" in plan


@pytest.fixture
def register_locked(settings, transactional_db, make_claim, system):
    """The register committed, then its claims table locked by another connection (an editor's long migration, say).

    A search must then wait for the lock: a stand-in for a search that walks the whole
    register, which PUBLIC_SEARCH_TIMEOUT_MS must stop in the same way.
    """
    import psycopg

    settings.PUBLIC_CACHE_SECONDS = 0
    settings.PUBLIC_SEARCH_TIMEOUT_MS = 200
    renault = services.get_or_create_claimant("Renault Group", by=system, reason="test")[0]
    twingo = make_claim(
        statement="The Twingo will cost under 20,000 EUR.", claimant=renault, published_at=timezone.now()
    )
    params = connection.get_connection_params()
    locker = psycopg.connect(
        **{key: value for key, value in params.items() if key in ("dbname", "user", "host", "port", "password")}
    )
    yield twingo, locker
    locker.close()


def lock_claims(locker) -> threading.Timer:
    """Lock the claims until locker.rollback(), or for 10 s at most: without a limit a search would wait for ever."""
    locker.execute("LOCK TABLE claims_claim IN ACCESS EXCLUSIVE MODE")
    release = threading.Timer(10, locker.rollback)
    release.start()
    return release


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_a_search_that_runs_too_long_is_stopped_and_the_reader_told_to_narrow_it(anonymous, register_locked):
    twingo, locker = register_locked
    assert twingo.slug in anonymous.get("/claims/", {"q": "twingo"}).content.decode()  # the shared data is at hand

    release = lock_claims(locker)
    page = anonymous.get("/claims/", {"q": "twingo"})
    api = anonymous.get("/api/claims/", {"q": "twingo"})
    release.cancel()
    locker.rollback()

    assert page.status_code == 400
    assert "This search took too long and was stopped. Use fewer or rarer words" in page.content.decode()
    assert api.status_code == 400 and "took too long" in api.json()["q"][0]
    with connection.cursor() as cursor:  # the limit was the search's own, not the connection's
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
    assert twingo.slug in anonymous.get("/claims/", {"q": "twingo"}).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_the_time_limit_ends_with_the_search_even_inside_a_transaction(anonymous, register, settings):
    settings.PUBLIC_SEARCH_TIMEOUT_MS = 1500
    assert anonymous.get("/claims/", {"q": "twingo"}).status_code == 200  # inside the test's transaction
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
