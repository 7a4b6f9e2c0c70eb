"""The webhook sender: pending deliveries POSTed from the outbox, in order per claim, at least once.

Run by Celery beat every WEBHOOK_SWEEP_SECONDS (claims.tasks.send_webhooks), queued after
each change that made deliveries, and by ``python manage.py send_webhooks``. Any number
may run at once:

- A delivery is taken with SELECT ... FOR UPDATE SKIP LOCKED inside its own transaction
  and sent while its row is locked: another sender skips it, and the lock ends with the
  transaction whatever happens (a killed worker's rows are free again at once).
- **In order per claim**: a delivery is taken only if its endpoint has no earlier pending
  delivery of the same claim (sent or waiting for its retry). A partner never gets
  "unpublished" before the "published" it follows.
- **At least once**: the row is marked delivered only after a 2xx answer, in the same
  transaction that held it. A sender that dies after the partner answered and before the
  commit leaves it pending, and it is sent again with the same ``webhook-id``: receivers
  drop duplicates by it (Standard Webhooks says so).
- A failure (an error status, a timeout, a refused address) sets the next attempt after
  an exponential backoff (WEBHOOK_RETRY_SECONDS, doubled per attempt, at most a day) and
  counts against the endpoint; WEBHOOK_MAX_FAILURES failures in a row disable it, and the
  chief editors are told by email. Its deliveries wait (nothing is lost) until a chief
  editor turns it on again; one success resets the count.

The HTTP call holds a database connection and a row lock for at most
WEBHOOK_TIMEOUT_SECONDS per delivery; ``time_budget`` stops a run before the task's limit.
"""

import datetime
import logging
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from claims.webhooks import signing, transport
from claims.webhooks.models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 24 * 3600
# Deliveries per run; the next run (beat's, or one queued now) goes on.
BATCH = 200


@dataclass
class Result:
    delivered: int = 0
    failed: int = 0
    disabled: int = 0
    more_due: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def backoff(attempts: int) -> datetime.timedelta:
    """After ``attempts`` failed attempts: WEBHOOK_RETRY_SECONDS, doubled each time, at most a day."""
    return datetime.timedelta(seconds=min(settings.WEBHOOK_RETRY_SECONDS * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS))


def _sendable(now: datetime.datetime):
    earlier = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING,
        endpoint_id=OuterRef("endpoint_id"),
        claim_id=OuterRef("claim_id"),
        id__lt=OuterRef("id"),
    )
    return (
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(endpoint__active=True)
        .exclude(Exists(earlier))
        .order_by("id")
    )


def _take(now: datetime.datetime) -> WebhookDelivery | None:
    rows = _sendable(now)
    if connection.features.has_select_for_update_skip_locked:
        of = ("self",) if connection.features.has_select_for_update_of else ()
        rows = rows.select_for_update(skip_locked=True, of=of)
    return rows.select_related("endpoint").first()


def send_one(delivery: WebhookDelivery, now: datetime.datetime) -> bool:
    """Attempt one delivery (its row locked by the caller's transaction); True when the endpoint took it."""
    endpoint = delivery.endpoint
    body = delivery.payload.encode()
    headers = signing.headers(endpoint.secret_bytes(), delivery.msg_id, int(now.timestamp()), body)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    try:
        answer = transport.post(endpoint.url, body, headers)
    except (transport.Refused, OSError) as error:
        delivery.response_code, delivery.last_error = None, str(error) or type(error).__name__
    else:
        delivery.response_code = answer.status
        if 200 <= answer.status < 300:
            delivery.status, delivery.delivered_at, delivery.last_error = WebhookDelivery.Status.DELIVERED, now, ""
            delivery.save()
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
            return True
        delivery.last_error = f"HTTP {answer.status}: {answer.body[:500]}"
    delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    return False


def _disable_if_failing(endpoint_id: int, now: datetime.datetime) -> WebhookEndpoint | None:
    """Turn the endpoint off if it failed WEBHOOK_MAX_FAILURES times in a row; the endpoint if this did it."""
    changed = WebhookEndpoint.objects.filter(
        pk=endpoint_id, active=True, consecutive_failures__gte=settings.WEBHOOK_MAX_FAILURES
    ).update(active=False, disabled_at=now)
    return WebhookEndpoint.objects.get(pk=endpoint_id) if changed else None


def chief_editors():
    users = get_user_model().objects
    may_publish = (
        Q(is_superuser=True)
        | Q(groups__permissions__codename="publish_claim", groups__permissions__content_type__app_label="claims")
        | Q(user_permissions__codename="publish_claim", user_permissions__content_type__app_label="claims")
    )
    return users.filter(may_publish, is_active=True).exclude(email="").distinct().order_by("pk")


def tell_chief_editors(endpoint: WebhookEndpoint) -> None:
    last = endpoint.deliveries.exclude(last_error="").order_by("-last_attempt_at").first()
    why = f"The last attempt failed with: {last.last_error}" if last else ""
    send_mail(
        subject=f"Webhook endpoint disabled: {endpoint}",
        message=(
            f"The webhook endpoint {endpoint.url} ({endpoint.description or 'no description'}) failed "
            f"{endpoint.consecutive_failures} times in a row and was turned off. Its deliveries wait; "
            f"none is lost.\n\n{why}\n\nWhen the partner has fixed it, turn it on again in the admin: "
            f"{settings.SITE_URL}/admin/claims/webhookendpoint/{endpoint.pk}/change/\n"
        ),
        from_email=None,
        recipient_list=list(chief_editors().values_list("email", flat=True)),
    )


def time_budget() -> float:
    return settings.WEBHOOK_SEND_BUDGET_SECONDS


def sweep(now: datetime.datetime | None = None) -> Result:
    """Send what is due, one delivery per transaction, until none is left, BATCH is reached or time is up."""
    result, started = Result(), time.monotonic()
    for _ in range(BATCH):
        if time.monotonic() - started > time_budget():
            result.more_due = True
            break
        at = now or timezone.now()
        with transaction.atomic():
            delivery = _take(at)
            if delivery is None:
                return result
            delivered = send_one(delivery, at)
            disabled = None if delivered else _disable_if_failing(delivery.endpoint_id, at)
        if delivered:
            result.delivered += 1
        else:
            result.failed += 1
            logger.warning("Webhook %s to %s failed: %s", delivery.msg_id, delivery.endpoint.url, delivery.last_error)
        if disabled is not None:
            result.disabled += 1
            logger.error("Webhook endpoint %s disabled after %d failures", disabled.url, disabled.consecutive_failures)
            tell_chief_editors(disabled)
    else:
        result.more_due = _sendable(now or timezone.now()).exists()
    return result
