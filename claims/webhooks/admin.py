"""Webhook endpoints and their delivery log in the admin: chief editors only (the publish permission).

An endpoint's secret is shown once, in the message after it is created; it is kept to
sign deliveries and never shown again (delete the endpoint and add a new one to change
it). Turning an endpoint on again clears its count of failures; its waiting deliveries
then go out in order. Deliveries are a log: read-only, the latest on the endpoint's page.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from claims.services import PUBLISH_PERMISSION
from claims.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

# Deliveries shown on an endpoint's page; the rest are in the deliveries' list, filtered by endpoint.
RECENT = 20


class ChiefEditorsOnly:
    def has_module_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def has_add_permission(self, request, *args):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(PUBLISH_PERMISSION)


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)
    url = forms.URLField(max_length=500, assume_scheme="https", help_text="Where deliveries are POSTed.")

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        if not url.startswith(("https://", "http://")):
            raise forms.ValidationError("Give an http(s) address.")
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ChiefEditorsOnly, admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "description", "event_list", "active", "consecutive_failures", "deliveries_link"]
    list_filter = ["active"]
    readonly_fields = ["consecutive_failures", "disabled_at", "created_at", "created_by", "recent_deliveries"]

    @admin.display(description="events")
    def event_list(self, endpoint):
        return ", ".join(endpoint.events)

    @admin.display(description="delivery log")
    def deliveries_link(self, endpoint):
        return format_html('<a href="../webhookdelivery/?endpoint__id__exact={}">log</a>', endpoint.pk)

    @admin.display(description="latest deliveries")
    def recent_deliveries(self, endpoint):
        if endpoint.pk is None:
            return "None yet."
        rows = endpoint.deliveries.order_by("-id")[:RECENT]
        table = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (d.created_at.strftime("%Y-%m-%d %H:%M"), d.event, d.claim_slug, d.get_status_display(), d.attempts,
                 d.response_code or "", d.last_error[:200])
                for d in rows
            ),
        )  # fmt: skip
        head = "".join(
            f"<th>{name}</th>" for name in ("queued", "event", "claim", "status", "attempts", "answer", "error")
        )
        log = format_html(
            '<p><a href="../../../webhookdelivery/?endpoint__id__exact={}">The whole log</a></p>', endpoint.pk
        )
        return format_html("<table><tr>{}</tr>{}</table>{}", mark_safe(head), table, log)

    def save_model(self, request, obj, form, change):
        if obj.pk is None:
            obj.created_by = request.user
        if change and "active" in form.changed_data and obj.active:
            obj.consecutive_failures, obj.disabled_at = 0, None
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(
                request,
                format_html(
                    "The endpoint's signing secret is <code>{}</code>. Give it to the partner now: "
                    "it is not shown again.",
                    obj.secret,
                ),
            )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ChiefEditorsOnly, admin.ModelAdmin):
    list_display = ["msg_id", "endpoint", "event", "claim_slug", "status", "attempts", "response_code", "created_at"]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["msg_id", "claim_slug"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
