"""Webhooks with a real Celery worker and PostgreSQL: a publication reaches the partner's server, signed."""

# Fixtures imported from the support modules are used as test arguments, which ruff reads as redefinitions.
# ruff: noqa: F811

import threading

import pytest
from django.db import connection, connections
from standardwebhooks import Webhook

from claims import services
from claims.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from claims.webhooks import sender
from tests.test_data_webhooks_support import receiver  # noqa: F401 - fixture
from tests.test_reminders_support import (  # noqa: F401 - fixtures
    WORKER_ARGS,
    celery_processes,
    needs_postgresql,
    process_env,
    wait_until,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _on_postgresql(settings):
    needs_postgresql()
    settings.WEBHOOK_ALLOW_PRIVATE = True


def test_a_worker_delivers_a_publication_queued_when_it_commits(
    settings, make_claim, chiara, receiver, celery_processes
):
    settings.PUBLIC_REFRESH_IN_BACKGROUND = True  # workers run: the change queues the sender
    env = process_env(redis_url=settings.REDIS_URL, smtp_port=1, WEBHOOK_ALLOW_PRIVATE=1)
    worker = celery_processes("worker", env, "--pool=solo", *WORKER_ARGS)
    worker.wait_for("ready.")
    endpoint = WebhookEndpoint.objects.create(url=receiver.url, events=list(WebhookEvent.values))
    claim = services.publish(make_claim(), by=chiara)
    wait_until(lambda: receiver.requests, timeout=40, what="the worker to deliver the publication")
    (request,) = receiver.requests
    body = Webhook(endpoint.secret).verify(request["body"], request["headers"])
    assert (body["type"], body["data"]["slug"]) == ("claim.published", claim.slug)
    wait_until(lambda: WebhookDelivery.objects.filter(status="delivered").exists(), timeout=20, what="the row marked")


def test_two_senders_at_once_send_each_delivery_once(make_claim, chiara, receiver):
    WebhookEndpoint.objects.create(url=receiver.url, events=list(WebhookEvent.values))
    for _ in range(6):
        services.publish(make_claim(), by=chiara)
    results = []

    def run():
        try:
            results.append(sender.sweep())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result.delivered for result in results) == 6
    assert len(receiver.requests) == 6
    assert len({request["headers"]["webhook-id"] for request in receiver.requests}) == 6
    assert connection.vendor == "postgresql"
