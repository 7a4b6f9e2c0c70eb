"""Shared fixtures: the desk's personas and a small claim factory.

Personas: Elena is an editor, Chiara a chief editor, Rita a reader with an account but
no staff access. Claims are written through claims.services like everywhere else.
"""

import contextlib
import datetime
import importlib
import itertools
import os
from pathlib import Path

import pytest
import redis
from django.contrib.auth.models import Group, Permission

from claims import services
from claims.models import Claim, Precision, Status

_counter = itertools.count(1)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def _uses_transactions(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    transactional_marker = marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    return transactional_marker or bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def no_background_refresh(settings):
    """No Celery worker runs beside most tests, so readers compute the shared aggregates
    themselves after a change, as with PUBLIC_REFRESH_IN_BACKGROUND=0 in production.
    tests/test_public_refresh.py turns it on, with a real worker where it needs one."""
    settings.PUBLIC_REFRESH_IN_BACKGROUND = False


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The personas' passwords are hashed with a fast hasher.

    The deployment's hasher takes 0.3 s of CPU per password on purpose; with two or three
    personas in most tests that was most of the suite's time. Tests of signing in that
    count or time password checks set their own hasher (tests/signin_support.py), and
    processes a test starts (workers, servers) keep the deployment's.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def review_not_required(request, settings):
    """The two-person rule (REVIEW_REQUIRED, on by default) is off for tests that do not ask for it.

    Most tests publish and rate claims through the services as one chief editor, as they
    did before the rule; what they test is not the rule. Tests of the rule, and of paths
    it guards, mark themselves ``@pytest.mark.review_rule`` and get the default (on).
    """
    if request.node.get_closest_marker("review_rule") is None:
        settings.REVIEW_REQUIRED = False


def _clear_public_entries() -> None:
    from claims import public_cache

    with contextlib.suppress(redis.RedisError, OSError):  # tests of Redis outages point the cache elsewhere
        public_cache.clear()


@pytest.fixture(scope="session", autouse=True)
def no_public_entries_from_earlier_runs(django_db_setup):
    """Parts of claim pages are keyed by the claim's id and stamp (claims.fragments): a test
    database made again hands out the same ids, and a frozen clock the same stamps."""
    _clear_public_entries()


@pytest.fixture(autouse=True)
def no_public_entries_left_behind():
    """What one test cached in Redis (pages, shared data, page parts) is not there for the next."""
    yield
    _clear_public_entries()


@pytest.fixture(autouse=True)
def roles_after_flush(request):
    """Transactional tests (live server, real workers) end by emptying every table, roles included.

    Django's post-migrate signal puts content types and permissions back after the flush,
    but not the groups that migration 0002 made, so a transactional test recreates them
    from the migration's own list first.
    """
    if not _uses_transactions(request):
        return
    request.getfixturevalue("transactional_db")
    roles = importlib.import_module("claims.migrations.0002_roles").ROLES
    later = importlib.import_module("claims.migrations.0017_readers").ROLE_PERMISSIONS  # the tips inbox
    for name, codenames in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [*codenames, *later.get(name, [])]
        group.permissions.set(Permission.objects.filter(content_type__app_label="claims", codename__in=codenames))


@pytest.fixture
def chromium_path():
    """Debian's Chromium; a missing browser fails the run on CI (where .ci/run installs it) and skips locally."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return CHROMIUM


def make_user(django_user_model, username, *, groups=(), staff=True, email=None):
    user = django_user_model.objects.create_user(
        username=username,
        email=email or f"{username}@newsroom.example",
        password="correct horse battery",
        is_staff=staff,
    )
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def elena(db, django_user_model):
    """An editor: adds and changes claims, may not publish or delete."""
    return make_user(django_user_model, "elena", groups=["Editors"])


@pytest.fixture
def chiara(db, django_user_model):
    """A chief editor: also publishes and deletes."""
    return make_user(django_user_model, "chiara", groups=["Editors", "Chief editors"])


@pytest.fixture
def rita(db, django_user_model):
    """A reader with an account but no staff access."""
    return make_user(django_user_model, "rita", staff=False)


@pytest.fixture
def system(db):
    return services.system_user()


@pytest.fixture
def claimant(system):
    return services.get_or_create_claimant("Nissan", by=system, reason="test fixture")[0]


@pytest.fixture
def source(system):
    return services.get_or_create_source(
        title="City car story", url="https://news.example/city-car", publisher="Daily Example",
        published_on=datetime.date(2025, 5, 15), by=system, reason="test fixture",
    )[0]  # fmt: skip


@pytest.fixture
def make_claim(claimant, source, system):
    """Create a claim through the service; keyword arguments override the defaults."""

    def make(**fields):
        n = next(_counter)
        defaults = {
            "statement": f"Nissan will launch city car number {n} in Europe by 2026.",
            "claimant": claimant,
            "source": source,
            "deadline_text": "by 2026",
            "deadline_start": datetime.date(2025, 5, 15),
            "deadline_end": datetime.date(2026, 12, 31),
            "deadline_precision": Precision.YEAR,
            "status": Status.PENDING,
        }
        defaults.update(fields)
        by = defaults.pop("by", system)
        return services.save_claim(Claim(**defaults), by=by, reason="test fixture")

    return make
