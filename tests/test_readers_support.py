"""Fixtures and helpers for the readers' tests (tips, following by email, the card); no tests here.

Test modules load it with ``pytest_plugins = ["tests.test_readers_support"]``. The SMTP
server and Celery processes are the reminder tests' (tests/test_reminders_support.py).
"""

import importlib
import re
from email.header import decode_header, make_header
from email.message import Message

import pytest
from django.contrib.auth.models import Group, Permission

from claims import services
from claims.models import Reader, Subscription
from claims.readers import digests, subscriptions

FOLLOW_CONFIRM = re.compile(r"https?://[^\s\"<>]+/follow/confirm/[^/\s\"<>]+/")
TIP_CONFIRM = re.compile(r"https?://[^\s\"<>]+/suggest/confirm/[^/\s\"<>]+/")
MANAGE = re.compile(r"https?://[^\s\"<>]+/follow/manage/[^/\s\"<>]+/")


@pytest.fixture(autouse=True)
def readers_roles(request, roles_after_flush):
    """After a transactional test's flush, conftest puts back the roles of migration 0002; this adds 0017's."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or "live_server" in request.fixturenames
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    roles = importlib.import_module("claims.migrations.0017_readers").ROLE_PERMISSIONS
    for name, codenames in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="claims", codename__in=codenames))


@pytest.fixture
def no_rate_limits(settings):
    settings.TIP_RATE_LIMIT = 0
    settings.FOLLOW_RATE_LIMIT = 0


def header(message: Message, name: str) -> str:
    """A header as the reader's mail client shows it: decoded (RFC 2047) and unfolded."""
    raw = message[name]
    return None if raw is None else " ".join(str(make_header(decode_header(raw))).split())


def text_of(message: Message) -> str:
    part = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def html_of(message: Message) -> str:
    part = next(part for part in message.walk() if part.get_content_type() == "text/html")
    return part.get_payload(decode=True).decode()


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def confirmed(email: str, **target) -> Subscription:
    """A follow as a reader makes it through the services: asked, then confirmed."""
    subscription = subscriptions.follow(email, **target)
    return subscriptions.confirm(subscription.pk)


def reader(email: str) -> Reader:
    return Reader.objects.get(email=email)


def sweep():
    return digests.sweep()


def change_status(claim, status, by, reason="Status reviewed", **kwargs):
    claim.refresh_from_db()
    return services.change_status(claim, status, by=by, reason=reason, **kwargs)
