"""Webhook endpoints and their deliveries (the outbox). Machine and configuration state: not history-tracked;
the deliveries are their own log, and the admin's log records who changed an endpoint."""

import base64
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class WebhookEvent(models.TextChoices):
    """What partners can subscribe to: claims.history's public events, by their Standard Webhooks type."""

    PUBLISHED = "claim.published", "A claim is published (first, or again)"
    STATUS_CHANGED = "claim.status_changed", "A published claim changes status"
    CORRECTED = "claim.corrected", "A published claim is corrected"
    UNPUBLISHED = "claim.unpublished", "A claim is taken off the site"


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=500, help_text="Where deliveries are POSTed (https://...).")
    description = models.CharField(max_length=200, blank=True, help_text="Whose endpoint this is.")
    events = models.JSONField(default=list, help_text="The event types it receives.")
    # Signs every delivery; shown once, when the endpoint is created.
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["url", "id"]
        verbose_name = "webhook endpoint"

    def __str__(self):
        return self.description or self.url

    def secret_bytes(self) -> bytes:
        return base64.b64decode(self.secret.removeprefix("whsec_"))


class WebhookDelivery(models.Model):
    """Outbox row: one event for one endpoint, sent by claims.webhooks.sender AT LEAST ONCE, in order per claim."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=30, choices=WebhookEvent)
    # The claim's id, not a key: a claim deleted while published is still told of.
    claim_id = models.BigIntegerField()
    claim_slug = models.CharField(max_length=120)
    # The history row of the change: one delivery per endpoint and row, whatever happens.
    history_id = models.BigIntegerField()
    msg_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    # The body as sent, the same on every attempt (the signature changes with the timestamp).
    payload = models.TextField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "history_id"], name="claims_webhookdelivery_once_per_change"),
        ]
        indexes = [
            # The sender: pending rows by id (and an endpoint's earlier pending rows of the same claim).
            models.Index(
                fields=["endpoint", "claim_id", "id"],
                condition=Q(status="pending"),
                name="claims_webhookdelivery_pending",
            ),
        ]

    def __str__(self):
        return f"{self.event} of {self.claim_slug} to {self.endpoint}"
