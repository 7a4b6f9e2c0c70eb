"""The methodology page's own text (/methodology/): one row, chief editors change it with a reason, history kept."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from claims import services
from claims.admin.forms import ReasonForm
from claims.admin.tracked import TrackedAdmin
from claims.models import MethodologyText


class MethodologyForm(ReasonForm):
    class Meta:
        model = MethodologyText
        fields = ["introduction", "corrections_policy", "contact"]


@admin.register(MethodologyText)
class MethodologyTextAdmin(TrackedAdmin):
    form = MethodologyForm
    fields = ["introduction", "corrections_policy", "contact", "change_reason", "opened_version"]

    def has_add_permission(self, request):
        # No query here: the admin asks on every page (its sidebar). The add page sends to the row once it exists.
        return self.has_change_permission(request)

    def add_view(self, request, form_url="", extra_context=None):
        if MethodologyText.objects.exists():
            return HttpResponseRedirect(
                reverse("admin:claims_methodologytext_change", args=[MethodologyText.SINGLETON_ID])
            )
        return super().add_view(request, form_url, extra_context)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(services.PUBLISH_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """One row: the list opens it (or the form that writes it the first time)."""
        if MethodologyText.objects.exists():
            return HttpResponseRedirect(
                reverse("admin:claims_methodologytext_change", args=[MethodologyText.SINGLETON_ID])
            )
        if self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:claims_methodologytext_add"))
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        texts = {name: form.cleaned_data[name] for name in ("introduction", "corrections_policy", "contact")}
        saved = services.save_methodology(
            by=request.user, reason=self.reason_of(form, change), expected_version=self.version_of(form), **texts
        )
        obj.pk, obj.version = saved.pk, saved.version
