"""A delivery per subscribed endpoint for each public change of a claim, written with the change.

A receiver of simple-history's ``post_create_historical_record`` for claims, as the
readers' events (claims.readers.events): claims.history has marked the row as a public
event (published, status, correction, unpublished) or not, and a row that is one becomes
a WebhookDelivery for each active endpoint that wants its type, inside the writer's own
transaction. It commits with the change or not at all, once per endpoint and row (a
constraint says so). Drafts and internal edits (notes, the assignee) are never events.

The body is built now, from the claim as the change left it: the API's representation
(claims.api.serializers.claim_data), the public fields only. A claim taken off the site
is no longer public: its event carries only its slug and addresses, so that partners can
take their copy down, and the deliveries of its earlier events still waiting in the
outbox (a partner that was down, a retry) lose their text in the same transaction: what
the site took down is never sent afterwards, as it stays in no other public copy.
Bulk writes (simple-history's bulk path) send no signals and make no deliveries, as
they make no readers' events.
"""

import json

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from simple_history.signals import post_create_historical_record

from claims.api.serializers import ClaimRow, PageContext, claim_data
from claims.models import FeedEntry, historical_claim_model
from claims.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

SEND_TASK = "claims.tasks.send_webhooks"

EVENTS = {
    FeedEntry.PUBLISHED: WebhookEvent.PUBLISHED,
    FeedEntry.STATUS: WebhookEvent.STATUS_CHANGED,
    FeedEntry.CORRECTION: WebhookEvent.CORRECTED,
    FeedEntry.UNPUBLISHED: WebhookEvent.UNPUBLISHED,
}


def addresses(slug: str) -> dict:
    """All a payload says of a claim that is not public: where it was."""
    page = PageContext.current()
    return {
        "slug": slug,
        "url": f"{page.claim_url[0]}{slug}{page.claim_url[1]}",
        "api_url": f"{page.api_url[0]}{slug}{page.api_url[1]}",
    }


def payload(event: str, claim, history_row) -> str:
    """The JSON body: Standard Webhooks' type, timestamp and data (the claim as the API shows it)."""
    page = PageContext.current()
    if event == WebhookEvent.UNPUBLISHED:
        data = addresses(claim.slug)
    else:
        data = claim_data(ClaimRow.of(claim), page)
    body = {"type": event, "timestamp": history_row.history_date.isoformat().replace("+00:00", "Z"), "data": data}
    if event == WebhookEvent.STATUS_CHANGED or history_row.feed_previous_status:
        body["previous_status"] = history_row.feed_previous_status
    if event == WebhookEvent.CORRECTED:
        body["correction"] = history_row.correction
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _strip_waiting(claim_id: int, slug: str, using=None) -> None:
    """The text of a claim taken down leaves the deliveries of its earlier events not yet sent."""
    waiting = WebhookDelivery.objects.using(using).filter(claim_id=claim_id, status=WebhookDelivery.Status.PENDING)
    for delivery in waiting.exclude(event=WebhookEvent.UNPUBLISHED).only("id", "payload"):
        body = json.loads(delivery.payload)
        body["data"] = addresses(body.get("data", {}).get("slug") or slug)
        body.pop("correction", None)
        delivery.payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        delivery.save(update_fields=["payload"])


def record_change(sender, instance, history_instance, using=None, **kwargs):
    event = EVENTS.get(history_instance.feed_entry)
    if event is None:
        return
    if event == WebhookEvent.UNPUBLISHED:
        _strip_waiting(history_instance.id, instance.slug, using)
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.using(using).filter(active=True).only("id", "events")
        if event in endpoint.events
    ]
    if not endpoints:
        return
    body = payload(event, instance, history_instance)
    now = timezone.now()
    WebhookDelivery.objects.using(using).bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                claim_id=history_instance.id,
                claim_slug=instance.slug,
                history_id=history_instance.history_id,
                payload=body,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        ]
    )
    transaction.on_commit(ask_for_sending, using=using, robust=True)


post_create_historical_record.connect(
    record_change, sender=historical_claim_model(), dispatch_uid="webhooks-record-public-change"
)


def ask_for_sending() -> None:
    """Queue the sender now rather than at beat's next run; beat sends anything this misses."""
    if not getattr(settings, "PUBLIC_REFRESH_IN_BACKGROUND", True):
        return  # no workers: beat's schedule (or the command) sends
    try:
        current_app.signature(SEND_TASK).apply_async(retry=False, expires=settings.WEBHOOK_SWEEP_SECONDS)
    except Exception:  # noqa: BLE001 - a broker outage must not break the writer; beat sends later
        pass
