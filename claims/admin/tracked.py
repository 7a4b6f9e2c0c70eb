"""The desk's base for tracked rows: writes through the services, rows locked while a form is saved, history read-only.

- Saves and deletes go through claims.services, with the editor, a reason and the
  version the form was opened at; the services check the permission of what changes.
- On a POST, the row (and the rows of its inlines) are read with SELECT ... FOR UPDATE
  inside the admin's transaction, so the version a form is compared with
  (claims.admin.forms.VersionedForm) stays the row's until the save commits.
- A history version page only shows: simple-history's page is a form that saves
  whatever is posted back to it (publishing, unpublishing, recreating a deleted claim)
  whatever SIMPLE_HISTORY_REVERT_DISABLED hides. Any other method than GET is refused
  with 403 for every user, and the page shows the values as readers read them.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from claims import services
from claims.versions import shown_value

# A URL typed without a scheme is taken as https (Django 6's default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def locked_for_post(request, queryset):
    """The queryset, read FOR UPDATE when the request saves (the admin's change view runs in a transaction)."""
    if request.method != "POST":
        return queryset
    if connections[queryset.db].features.has_select_for_update_of:
        return queryset.select_for_update(of=("self",))
    return queryset.select_for_update()


class VersionedInline:
    """An inline whose rows are locked while a POST is saved (a mixin for InlineModelAdmin)."""

    def get_queryset(self, request):
        return locked_for_post(request, super().get_queryset(request))


class TrackedAdmin(SimpleHistoryAdmin):
    """Saves and deletes through the services, with the editor, a reason and the form's version."""

    formfield_overrides = HTTPS_URLS
    change_form_template = "admin/claims/tracked_change_form.html"

    def get_object(self, request, object_id, from_field=None):
        # As ModelAdmin.get_object, locked for a POST.
        queryset = locked_for_post(request, self.get_queryset(request))
        model = queryset.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (model.DoesNotExist, ValidationError, ValueError):
            return None

    @staticmethod
    def reason_of(form, change: bool) -> str:
        reason = (form.cleaned_data.get("change_reason") or "").strip()
        return reason or ("Edited in the admin" if change else "Created in the admin")

    @staticmethod
    def version_of(form) -> int | None:
        return form.cleaned_data.get("opened_version") if form.instance.pk else None

    def save_model(self, request, obj, form, change):
        services.tracked_save(
            obj,
            by=request.user,
            reason=self.reason_of(form, change),
            validate=False,
            expected_version=self.version_of(form),
        )

    def delete_model(self, request, obj):
        services.tracked_delete(obj, by=request.user, reason="Deleted in the admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """The inline rows, each from the version it was shown at, with the page's reason when one was given."""
        given = (form.cleaned_data.get("change_reason") or "").strip() or None
        instances = formset.save(commit=False)
        versions = {
            f.instance.pk: getattr(f, "cleaned_data", {}).get("opened_version") for f in formset.forms if f.instance.pk
        }
        for obj in formset.deleted_objects:
            reason = given or "Deleted in the admin"
            services.tracked_delete(obj, by=request.user, reason=reason, expected_version=versions.get(obj.pk))
        for obj in instances:
            self.save_inline(request, obj, versions.get(obj.pk), given)
        formset.save_m2m()

    def save_inline(self, request, obj, version: int | None, reason: str | None = None):
        reason = reason or "Edited in the admin"
        services.tracked_save(obj, by=request.user, reason=reason, validate=False, expected_version=version)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Every refusal of a stale form in this save (the row's own, its inlines'), above the form.
        forms = [context["adminform"].form]
        for inline in context.get("inline_admin_formsets", []):
            forms.extend(inline.formset.forms)
        context["conflicts"] = [
            {"form": form, "changes": form.conflict} for form in forms if getattr(form, "conflict", None)
        ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- history ---------------------------------------------------------------------

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Each version's changes as editors read them (labels, names, "2 December 2026", "20,000"), not raw values.

        As simple-history's, with claims.versions.shown_value for the values; the version
        counter, which moves on every write, is left out.
        """
        model, previous = self.model, None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(current, excluded_fields=["version"], foreign_keys_are_objs=False)
                previous.history_delta_changes = [
                    {
                        "field": str(model._meta.get_field(change.field).verbose_name).capitalize(),
                        "old": shown_value(model, change.field, change.old, empty="(empty)"),
                        "new": shown_value(model, change.field, change.new, empty="(empty)"),
                    }
                    for change in delta.changes
                ]
            previous = current

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """One version of a row, read-only; nothing can be posted back (see the module docstring)."""
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("A past version cannot be saved back: change the values on the row itself.")
        request.current_app = self.admin_site.name
        opts = self.model._meta
        try:
            object_id, version_id = opts.pk.to_python(object_id), int(version_id)
        except (ValidationError, ValueError):
            raise Http404("No such version.") from None
        record = get_object_or_404(
            self.model.history.select_related("history_user"), **{opts.pk.attname: object_id, "history_id": version_id}
        )
        if not self.has_view_history_or_change_history_permission(request, record.instance):
            raise PermissionDenied
        url_names = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
        exists = self.model._default_manager.filter(pk=object_id).exists()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Version {record.version} of {record.instance}",
            "opts": opts,
            "record": record,
            "values": self.version_values(record),
            "history_url": reverse(f"{url_names}_history", args=[object_id]),
            "change_url": reverse(f"{url_names}_change", args=[object_id]) if exists else "",
            "changelist_url": reverse(f"{url_names}_changelist"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/claims/history_version.html", context)

    def version_values(self, record) -> list[tuple[str, str]]:
        """(label, value as readers read it) for each field the history keeps."""
        values = []
        for field in self.model._meta.concrete_fields:
            if field.primary_key or not hasattr(record, field.attname):
                continue
            label = str(field.verbose_name).capitalize()
            values.append(
                (label, shown_value(self.model, field.name, getattr(record, field.attname), empty="—", limit=None))
            )
        return values
