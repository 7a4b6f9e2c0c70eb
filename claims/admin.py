"""The editors' workbench.

Saves go through claims.services so that every change carries the editor and a reason.
The claim list is built to stay fast on a million rows: no full-table count, filters
backed by indexes (see Claim.Meta.indexes), related rows fetched in the same query.
"""

import csv
import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connections, models
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from simple_history.admin import SimpleHistoryAdmin

from claims import services
from claims.models import Appearance, Claim, Claimant, Source, Update, newsroom_today, outcome_date
from claims.reminders.desk import ReminderInline, due_soon_view

# A URL typed without a scheme is taken as https (Django 6's default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class LargeTablePaginator(Paginator):
    """Counts exactly only when cheap: a list the planner expects to be huge uses its estimate.

    On PostgreSQL the planner's row estimate (EXPLAIN, no execution) replaces COUNT(*)
    when it is above ESTIMATE_ABOVE: counting 290,000 "not yet rated" claims of a million
    cost 25-40 ms on every page load, and nobody pages that far by number.
    """

    ESTIMATE_ABOVE = 100_000

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql":
            sql, params = queryset.order_by().values("pk").query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
                estimate = int(cursor.fetchone()[0][0]["Plan"]["Plan Rows"])
            if estimate > self.ESTIMATE_ABOVE:
                return estimate
        return super().count


class DeadlineWindowFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("7", "Next 7 days"),
            ("30", "Next 30 days"),
            ("90", "Next 90 days"),
            ("later", "Later"),
            ("none", "No date"),
        ]

    def queryset(self, request, queryset):
        today = newsroom_today()
        match self.value():
            case "overdue":
                return queryset.overdue(today)
            case "7" | "30" | "90":
                return queryset.due_within(int(self.value()), today)
            case "later":
                return queryset.filter(deadline_end__gt=today + datetime.timedelta(days=90))
            case "none":
                return queryset.filter(deadline_end__isnull=True)
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
        return [("mine", "Mine"), ("none", "Unassigned")] + [(str(u.pk), u.get_username()) for u in staff]

    def queryset(self, request, queryset):
        match self.value():
            case None:
                return queryset
            case "mine":
                return queryset.filter(assignee=request.user)
            case "none":
                return queryset.filter(assignee__isnull=True)
            case value if value.isdigit():
                return queryset.filter(assignee_id=int(value))
        return queryset


class ClaimantFilter(admin.SimpleListFilter):
    """Lists every claimant while there are few; past that, only the chosen one.

    A register with tens of thousands of claimants cannot list them all in the sidebar;
    editors then filter by clicking a claimant's name in the list (or search by name).
    """

    title = "claimant"
    parameter_name = "claimant"
    LIST_AT_MOST = 50

    def lookups(self, request, model_admin):
        claimants = list(Claimant.objects.order_by("name").values_list("pk", "name")[: self.LIST_AT_MOST + 1])
        if len(claimants) <= self.LIST_AT_MOST:
            return [(str(pk), name) for pk, name in claimants]
        chosen = self.value()
        if chosen and chosen.isdigit():
            return [(str(pk), name) for pk, name in Claimant.objects.filter(pk=int(chosen)).values_list("pk", "name")]
        return []

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(claimant_id=int(value))


class PublishedFilter(admin.SimpleListFilter):
    title = "publication"
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", "Published"), ("no", "Draft")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.published()
        if self.value() == "no":
            return queryset.drafts()
        return queryset


class ReasonForm(forms.ModelForm):
    """Adds the reason kept in the history; required when the status changes."""

    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Kept in the history. Required when you change the status.",
    )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "status" in self.changed_data and not (cleaned.get("change_reason") or "").strip():
            self.add_error("change_reason", "Give a reason for the status change; it is kept in the history.")
        return cleaned


class ClaimForm(ReasonForm):
    def clean(self):
        cleaned = super().clean()
        if status := cleaned.get("status"):
            given = cleaned.get("resolved_on")
            if "status" in self.changed_data and "resolved_on" not in self.changed_data:
                given = None  # a new outcome is dated today unless the editor gives its date
            # Dated here as save_claim would, so that Claim.clean's rules (fulfilled after the
            # deadline is "fulfilled late") come back as form errors, not as a failed save.
            cleaned["resolved_on"] = outcome_date(status, given)
        return cleaned


class UpdateInline(admin.StackedInline):
    model = Update
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ["date", "summary", "url", "status"]


class AppearanceInline(admin.TabularInline):
    model = Appearance
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quote"]


class TrackedAdmin(SimpleHistoryAdmin):
    """Saves and deletes through the services, with the editor and a reason."""

    formfield_overrides = HTTPS_URLS

    def save_model(self, request, obj, form, change):
        reason = (form.cleaned_data.get("change_reason") or "").strip()
        services.tracked_save(obj, by=request.user, reason=reason or self.default_reason(change), validate=False)

    def delete_model(self, request, obj):
        services.tracked_delete(obj, by=request.user, reason="Deleted in the admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.tracked_delete(obj, by=request.user, reason="Deleted in the admin")
        for obj in instances:
            self.save_inline(request, obj)
        formset.save_m2m()

    def save_inline(self, request, obj):
        services.tracked_save(obj, by=request.user, reason="Edited in the admin", validate=False)

    @staticmethod
    def default_reason(change: bool) -> str:
        return "Edited in the admin" if change else "Created in the admin"


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
    form = ReasonForm
    list_display = ["date", "claim", "status", "summary"]
    list_select_related = ["claim"]
    autocomplete_fields = ["claim"]
    search_fields = ["summary", "claim__statement"]

    def save_model(self, request, obj, form, change):
        reason = (form.cleaned_data.get("change_reason") or "").strip()
        services.record_update(obj, by=request.user, reason=reason or self.default_reason(change))


@admin.register(Claim)
class ClaimAdmin(TrackedAdmin):
    form = ClaimForm
    paginator = LargeTablePaginator
    show_full_result_count = False  # no second COUNT(*) over the whole table
    list_per_page = 50
    list_display = [
        "short_statement", "claimant_link", "status_label", "deadline", "days_left", "assignee", "published",
    ]  # fmt: skip
    list_select_related = ["claimant", "assignee"]
    list_filter = ["status", DeadlineWindowFilter, AssigneeFilter, PublishedFilter, ClaimantFilter]
    # Shows the search box and says what it searches; get_search_results does the searching.
    search_fields = ["statement", "quote", "claimant__name", "source__title"]
    autocomplete_fields = ["claimant", "source"]
    inlines = [UpdateInline, AppearanceInline, ReminderInline]
    actions = ["assign_to_me", "publish_selected", "unpublish_selected", "export_csv"]
    readonly_fields = ["created_at", "updated_at"]
    history_list_display = ["status"]  # see ClaimAdmin.status
    fieldsets = [
        (None, {"fields": ["statement", "quote", "claimant", "source", "slug"]}),
        ("Deadline", {"fields": ["deadline_text", ("deadline_start", "deadline_end"), "deadline_precision"]}),
        (
            "Target",
            {"fields": [("target_quantity", "target_comparator", "target_value", "target_unit"), "actual_value"]},
        ),
        ("Status", {"fields": ["status", "resolved_on", "verdict", "change_reason"]}),
        ("Desk", {"fields": ["notes", "assignee", "published_at", ("created_at", "updated_at")]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        """Every word (or "quoted phrase") in the statement, the quote, the claimant's name or the source's title.

        Django's own search ORs ``search_fields`` across the joins with claimants and
        sources, which kept PostgreSQL from any index (seconds per search at a million
        claims); ClaimQuerySet.mentioning filters the claims table alone. No join, so no
        duplicate rows either.
        """
        for word in smart_split(search_term):
            if word.startswith(('"', "'")) and word[0] == word[-1]:
                word = unescape_string_literal(word)  # as Django's search does
            queryset = queryset.mentioning(word, in_source_titles=True)
        return queryset, False

    def get_urls(self):
        due_soon = self.admin_site.admin_view(due_soon_view(self))
        return [path("due-soon/", due_soon, name="claims_claim_due_soon"), *super().get_urls()]

    def action_checkbox(self, claim):
        """The same checkbox as Django's, written directly: rendering a widget template per row
        was a fifth of the claim list's time."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="Select this object for an action - {}">',
            helpers.ACTION_CHECKBOX_NAME, claim.pk, str(claim),
        )  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm(services.PUBLISH_PERMISSION):
            fields.append("published_at")
        return fields

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("assignee", request.user.pk)
        return initial

    def save_model(self, request, obj, form, change):
        if "published_at" in form.changed_data and not request.user.has_perm(services.PUBLISH_PERMISSION):
            raise PermissionDenied
        reason = (form.cleaned_data.get("change_reason") or "").strip()
        services.save_claim(obj, by=request.user, reason=reason or self.default_reason(change))

    def save_inline(self, request, obj):
        if isinstance(obj, Update):
            services.record_update(obj, by=request.user, reason="Timeline update added in the admin")
        else:
            super().save_inline(request, obj)

    @admin.display(description="Statement", ordering="statement")
    def short_statement(self, claim):
        return str(claim)

    @admin.display(description="Claimant", ordering="claimant__name")
    def claimant_link(self, claim):
        """The claimant's name, linking to this list filtered to its claims."""
        return format_html('<a href="?{}={}" title="Only claims by {}">{}</a>', ClaimantFilter.parameter_name,
                           claim.claimant_id, claim.claimant.name, claim.claimant.name)  # fmt: skip

    @admin.display(description="Status", ordering="status")
    def status_label(self, claim):
        return claim.get_status_display()

    def status(self, historical_claim):
        """The status label as a column of the history page (which names the column after this method)."""
        return historical_claim.get_status_display()

    @admin.display(description="Deadline", ordering="deadline_end")
    def deadline(self, claim):
        if claim.deadline_end is None:
            return claim.deadline_text or "—"
        return f"{claim.deadline_text} ({claim.deadline_end:%Y-%m-%d})" if claim.deadline_text else claim.deadline_end

    @admin.display(description="Days left")
    def days_left(self, claim):
        days = claim.days_left
        if days is None or not claim.is_open:
            return "—"
        if days < 0:
            return f"{-days} days overdue"
        return "due today" if days == 0 else f"{days} days"

    @admin.display(description="Published", boolean=True, ordering="published_at")
    def published(self, claim):
        return claim.published_at is not None

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(services.PUBLISH_PERMISSION):
            actions.pop("publish_selected", None)
            actions.pop("unpublish_selected", None)
        return actions

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        def assign_to_me(claim, *, by, reason):
            return services.assign(claim, request.user, by=by, reason="Assigned to me from the claim list")

        # Through _apply, so a claim the register refuses to save (a date out of range) is named, not a 500.
        self._apply(request, queryset, assign_to_me, "assigned to you")

    @admin.action(description="Publish", permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._apply(request, queryset, services.publish, "published")

    @admin.action(description="Unpublish", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._apply(request, queryset, services.unpublish, "unpublished")

    def has_publish_permission(self, request):
        return request.user.has_perm(services.PUBLISH_PERMISSION)

    def _apply(self, request, queryset, service, verb):
        done, failed = 0, []
        for claim in queryset.select_related("claimant", "source"):
            try:
                service(claim, by=request.user, reason=f"{verb.capitalize()} from the claim list")
                done += 1
            except ValidationError as error:
                failed.append(f"{claim}: {'; '.join(error.messages)}")
        if done:
            self.message_user(request, f"{done} claims {verb}.", messages.SUCCESS)
        for message in failed:
            self.message_user(request, f"Not {verb}: {message}", messages.ERROR)

    @admin.action(description="Export as CSV")
    def export_csv(self, request, queryset):
        """Streams the selected claims (or all filtered ones, with "select all") as CSV."""
        rows = queryset.with_people().order_by("deadline_end", "id").iterator(chunk_size=2000)
        echo = _Echo()
        writer = csv.writer(echo)

        def lines():
            yield writer.writerow(CSV_COLUMNS)
            for claim in rows:
                yield writer.writerow(_csv_row(claim))

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="claims-{stamp}.csv"'
        return response


CSV_COLUMNS = [
    "slug", "statement", "quote", "claimant", "source_title", "source_url", "deadline_text", "deadline_start",
    "deadline_end", "deadline_precision", "target_quantity", "target_comparator", "target_value", "target_unit",
    "actual_value", "status", "status_label", "resolved_on", "verdict", "notes", "assignee", "published_at",
]  # fmt: skip


# Characters that make a spreadsheet read a cell as a formula, full-width forms included.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _text_cell(value: str) -> str:
    """Free text typed by people or copied from articles: a leading formula character is quoted."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _value_cell(value) -> str:
    """Numbers, dates and our own codes are written as they are (a negative target stays a number)."""
    return "" if value is None else str(value)


def _csv_row(claim: Claim) -> list[str]:
    t, v = _text_cell, _value_cell
    return [
        v(claim.slug), t(claim.statement), t(claim.quote), t(claim.claimant.name), t(claim.source.title),
        t(claim.source.url), t(claim.deadline_text), v(claim.deadline_start), v(claim.deadline_end),
        v(claim.deadline_precision), t(claim.target_quantity), v(claim.target_comparator), v(claim.target_value),
        t(claim.target_unit), v(claim.actual_value), v(claim.status), v(claim.get_status_display()),
        v(claim.resolved_on), t(claim.verdict), t(claim.notes),
        t(claim.assignee.get_username()) if claim.assignee else "", v(claim.published_at),
    ]  # fmt: skip


class _Echo:
    def write(self, value):
        return value
