"""The webhook sender: pending deliveries POSTed from the outbox, in order per claim, at least once.

Run by Celery beat every WEBHOOK_SWEEP_SECONDS (claims.tasks.send_webhooks), queued after
each change that made deliveries, and by ``python manage.py send_webhooks``. Any number
may run at once:

- A delivery is taken with SELECT ... FOR UPDATE SKIP LOCKED inside a short transaction
  that records the attempt before anything is sent: attempts + 1, the endpoint's failure
  count + 1, and ``next_attempt_at`` moved past the retry's backoff (at least the lease,
  the request's deadline and a margin). That commits, and the POST is made with no
  transaction and no lock held. While it is in flight the row is not due, so another
  sender does not take it; a sender killed mid-POST (a Celery time limit, a crash) has
  already counted its attempt as a failure, so a partner that never answers still gets
  its endpoint disabled, and its delivery waits for its backoff rather than going first
  again at once.
- **In order per claim**: a delivery is taken only if its endpoint has no earlier pending
  delivery of the same claim (in flight, or waiting for its retry). A partner never gets
  "unpublished" before the "published" it follows.
- **At least once**: the row is marked delivered only after a 2xx answer, in a second
  transaction (which also resets the endpoint's failure count). A sender that dies after
  the partner answered and before that commit leaves it pending, and it is sent again
  with the same ``webhook-id``: receivers drop duplicates by it (Standard Webhooks says so).
- A failure (an error status, a redirect, a timeout, a refused address) keeps the next
  attempt set before the POST: an exponential backoff (WEBHOOK_RETRY_SECONDS, doubled per
  attempt, at most a day). WEBHOOK_MAX_FAILURES failures in a row disable the endpoint,
  and the chief editors are told by email. Its deliveries wait (nothing is lost) until a
  chief editor turns it on again; one success resets the count.

An attempt takes at most WEBHOOK_TIMEOUT_SECONDS for the whole request (claims.webhooks.transport
enforces a deadline, not a per-read timeout); ``time_budget`` stops a run before the task's limit.
Logs and emails show an endpoint as scheme://host/path: its query or user:password may be a token.
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
# Past a request's deadline, for DNS and the database, before an in-flight delivery is due again.
LEASE_MARGIN_SECONDS = 30
# What an attempt shows until its answer is recorded (and for good if its sender died).
IN_FLIGHT = "no answer recorded: the sender stopped during the attempt"
# The partner's words in an email: a glimpse, not a page.
EMAIL_ANSWER_CHARS = 200


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


def lease(attempts: int) -> datetime.timedelta:
    """How long a taken delivery is not due: its backoff, and never less than its request can last."""
    return max(backoff(attempts), datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS))


def start(delivery: WebhookDelivery, now: datetime.datetime) -> None:
    """Record the attempt as a failure before it is made (the caller commits): a sender that dies mid-POST counts."""
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.next_attempt_at = now + lease(delivery.attempts)
    delivery.response_code, delivery.last_error = None, IN_FLIGHT
    delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at", "response_code", "last_error"])
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=F("consecutive_failures") + 1)


def send_one(delivery: WebhookDelivery, now: datetime.datetime) -> bool:
    """POST a started delivery, with no transaction open, and record the answer; True when the endpoint took it."""
    endpoint = delivery.endpoint
    body = delivery.payload.encode()
    headers = signing.headers(endpoint.secret_bytes(), delivery.msg_id, int(now.timestamp()), body)
    try:
        answer = transport.post(endpoint.url, body, headers)
    except (transport.Refused, transport.Redirected, OSError) as error:
        delivery.response_code, delivery.last_error = None, str(error) or type(error).__name__
        if isinstance(error, transport.Redirected):
            delivery.response_code = error.status
    else:
        delivery.response_code = answer.status
        if 200 <= answer.status < 300:
            with transaction.atomic():
                delivery.status, delivery.delivered_at, delivery.last_error = WebhookDelivery.Status.DELIVERED, now, ""
                delivery.save(update_fields=["status", "delivered_at", "last_error", "response_code"])
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
            return True
        delivery.last_error = f"HTTP {answer.status}: {answer.body[:500]}"
    delivery.save(update_fields=["response_code", "last_error"])
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


def glimpse(text: str) -> str:
    """A partner's answer as an email shows it: at most EMAIL_ANSWER_CHARS, control characters escaped."""
    cut = text[:EMAIL_ANSWER_CHARS] + ("…" if len(text) > EMAIL_ANSWER_CHARS else "")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in cut)


def tell_chief_editors(endpoint: WebhookEndpoint) -> None:
    last = endpoint.deliveries.exclude(last_error="").order_by("-last_attempt_at").first()
    why = f"The last attempt failed with: {glimpse(last.last_error)}" if last else ""
    address = transport.shown(endpoint.url)
    send_mail(
        subject=f"Webhook endpoint disabled: {endpoint.description or address}",
        message=(
            f"The webhook endpoint {address} ({endpoint.description or 'no description'}) failed "
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
            # Failures left by attempts whose sender died may have reached the limit already.
            disabled = _disable_if_failing(delivery.endpoint_id, at)
            if disabled is None:
                start(delivery, at)
        if disabled is None:
            delivered = send_one(delivery, at)
            if delivered:
                result.delivered += 1
            else:
                result.failed += 1
                logger.warning(
                    "Webhook %s to %s failed: %s",
                    delivery.msg_id,
                    transport.shown(delivery.endpoint.url),
                    delivery.last_error[:EMAIL_ANSWER_CHARS],
                )
                disabled = _disable_if_failing(delivery.endpoint_id, at)
        if disabled is not None:
            result.disabled += 1
            logger.error(
                "Webhook endpoint %s disabled after %d failures",
                transport.shown(disabled.url),
                disabled.consecutive_failures,
            )
            tell_chief_editors(disabled)
    else:
        result.more_due = _sendable(now or timezone.now()).exists()
    return result
