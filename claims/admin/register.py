"""The desk's pages for claimants, sources and timeline updates (claims have claims.admin.claims)."""

from django.contrib import admin

from claims import services
from claims.admin.forms import ReasonForm, UpdateForm
from claims.admin.tracked import TrackedAdmin
from claims.models import Claimant, Source, Update


@admin.register(Claimant)
class ClaimantAdmin(TrackedAdmin):
    form = ReasonForm
    list_display = ["name", "kind", "url"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(TrackedAdmin):
    form = ReasonForm
    list_display = ["title", "publisher", "published_on", "url"]
    search_fields = ["title", "url", "publisher"]
    date_hierarchy = "published_on"


@admin.register(Update)
class UpdateAdmin(TrackedAdmin):
    form = UpdateForm
    list_display = ["date", "claim", "status", "summary"]
    list_select_related = ["claim"]
    autocomplete_fields = ["claim"]
    search_fields = ["summary", "claim__statement"]

    def get_readonly_fields(self, request, obj=None):
        # An update belongs to its claim: moving it to another would leave both claims'
        # statuses wrong (the status it brought stays on the first, never reaches the second).
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "claim"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        services.record_update(
            obj,
            by=request.user,
            reason=self.reason_of(form, change),
            expected_version=self.version_of(form),
            correction=form.correction(),
        )
