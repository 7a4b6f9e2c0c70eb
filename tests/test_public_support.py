"""Fixtures and helpers shared by the public-pages tests (this module holds no tests).

Test modules load it with ``pytest_plugins`` and opt in with
``pytestmark = pytest.mark.usefixtures("public_cache")``, so nothing here touches
other features' tests.
"""

import datetime
import functools
import importlib
import os
import random
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings as django_settings
from simple_history.utils import bulk_create_with_history

from claims import public_cache as cache_module
from claims import services
from claims.models import Claim, Claimant, Precision, Source, Status, Update

FROZEN_TODAY = datetime.datetime(2026, 11, 26, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def public_cache(settings):
    """The real Redis cache (REDIS_URL), under a key prefix of this test run, emptied around each test."""
    caches = {name: dict(config) for name, config in django_settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-public-{os.getpid()}"
    settings.CACHES = caches
    cache_module.clear()
    yield cache_module
    cache_module.clear()


@pytest.fixture
def frozen_day():
    """The day the public tests' expectations (days left, overdue) are written for."""
    with time_machine.travel(FROZEN_TODAY, tick=False):
        yield


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit(): write()`` runs what the write scheduled for after commit, as a request's end would.

    Tests run inside one transaction that never commits; public-cache invalidation waits for the commit.
    """
    return functools.partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def demo(db, system, commit):
    from django.core.management import call_command

    with commit():
        call_command("load_demo")
    return Claim.objects.all()


@pytest.fixture
def anonymous(client):
    """A reader's browser: requests come from an allowed host, without a session cookie."""
    client.defaults["HTTP_HOST"] = "127.0.0.1"
    return client


def make_register(count: int, *, by, seed: int = 4) -> list[Claim]:
    """``count`` published claims spread over every status, written with history in a few queries.

    Uses simple-history's bulk path (the only bulk write the register allows), then moves
    the public cache on, since bulk writes send no signals.
    """
    rng = random.Random(seed)
    reason = "test register (bulk)"
    claimants = bulk_create_with_history(
        [Claimant(name=f"Maker {i}", slug=f"maker-{i}") for i in range(5)],
        Claimant,
        default_user=by,
        default_change_reason=reason,
    )
    sources = bulk_create_with_history(
        [
            Source(
                title=f"Story {i}",
                url=f"https://news.example/story-{i}",
                publisher="Daily Example",
                published_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=37 * i),
            )
            for i in range(10)
        ],
        Source,
        default_user=by,
        default_change_reason=reason,
    )
    statuses = list(Status)
    now = FROZEN_TODAY
    claims = []
    for i in range(count):
        status = statuses[i % len(statuses)]
        end = datetime.date(2025, 1, 31) + datetime.timedelta(days=rng.randrange(0, 900))
        closed = Status(status).is_closed
        claims.append(
            Claim(
                statement=f"Maker {i % 5} will deliver promise number {i}.",
                quote=f"we promise number {i}",
                claimant=claimants[i % 5],
                source=sources[i % 10],
                slug=f"promise-{i}",
                deadline_text=f"by {end:%B %Y}",
                deadline_start=end - datetime.timedelta(days=200),
                deadline_end=end,
                deadline_precision=Precision.MONTH,
                target_quantity="units" if i % 3 == 0 else "",
                target_comparator=">=" if i % 3 == 0 else "",
                target_value=Decimal(100 + i) if i % 3 == 0 else None,
                target_unit="units" if i % 3 == 0 else "",
                actual_value=Decimal(90 + i) if i % 3 == 0 and closed else None,
                status=status,
                resolved_on=end + datetime.timedelta(days=rng.randrange(-60, 120)) if closed else None,
                verdict=f"Verdict {i}" if closed else "",
                notes=f"INTERNAL-NOTE-{i}",
                published_at=now - datetime.timedelta(hours=i),
            )
        )
    claims = bulk_create_with_history(claims, Claim, default_user=by, default_change_reason=reason)
    bulk_create_with_history(
        [Update(claim=claim, date=claim.deadline_end, summary=f"Progress on {claim.slug}") for claim in claims[::3]],
        Update,
        default_user=by,
        default_change_reason=reason,
    )
    cache_module.invalidate()
    return claims


def build_sitemaps():
    """What the worker's task (or ``manage.py build_sitemaps``) does: sitemaps are never built in a request."""
    from claims.sitemaps import refresh

    built = refresh.build_if_needed(force=True)
    assert built is not None
    return built


def publish(claim, by, reason="Published"):
    return services.publish(claim, by=by, reason=reason)


def run_fill(migration_name: str) -> None:
    """Run the ``fill`` function of a data migration of claims, as RunPython would, on the default database.

    With the models as they stood after that migration (as RunPython hands them over): a
    column added later (``version``) is not one the fill knew about.
    """
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    class SchemaEditor:  # what RunPython hands over: the fills only need its connection
        pass

    editor = SchemaEditor()
    editor.connection = connection
    apps = MigrationLoader(connection).project_state(("claims", migration_name)).apps
    importlib.import_module(f"claims.migrations.{migration_name}").fill(apps, editor)
