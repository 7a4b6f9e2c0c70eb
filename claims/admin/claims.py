"""The claim list and the claim's page: the heart of the desk.

Saves go through claims.services so that every change carries the editor, a reason and
the version the form was opened at (claims.admin.tracked). The list is built to stay fast
on a million rows (claims.admin.lists).
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal

from claims import formats, services
from claims import review as review_rule
from claims.admin import csv_export
from claims.admin.forms import NOT_ROW_FIELDS, ClaimForm, TimelineFormSet, VersionedForm, VersionedInlineFormSet
from claims.admin.lists import (
    AssigneeFilter,
    ClaimantFilter,
    DeadlineOrderedChangeList,
    DeadlineWindowFilter,
    LargeTablePaginator,
    OpenFilter,
    PublishedFilter,
)
from claims.admin.publication import publication_context, publication_view
from claims.admin.tracked import HTTPS_URLS, TrackedAdmin, VersionedInline
from claims.imports.admin import ClaimImportExportMixin
from claims.models import Appearance, Claim, Update
from claims.reminders.desk import ReminderInline, due_soon_view


class UpdateInline(VersionedInline, admin.StackedInline):
    model = Update
    form = VersionedForm
    formset = TimelineFormSet
    formfield_overrides = HTTPS_URLS
    extra = 0
    fields = ["date", "summary", "url", "status", "opened_version"]


class AppearanceInline(VersionedInline, admin.TabularInline):
    model = Appearance
    form = VersionedForm
    formset = VersionedInlineFormSet
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quote", "opened_version"]


@admin.register(Claim)
class ClaimAdmin(ClaimImportExportMixin, TrackedAdmin):
    form = ClaimForm
    paginator = LargeTablePaginator
    show_full_result_count = False  # no second COUNT(*) over the whole table
    list_per_page = 50
    list_display = [
        "short_statement", "claimant_link", "status_label", "deadline", "days_left", "assignee", "published",
    ]  # fmt: skip
    list_select_related = ["claimant", "assignee"]
    list_filter = ["status", OpenFilter, DeadlineWindowFilter, AssigneeFilter, PublishedFilter, ClaimantFilter]
    # Shows the search box and says what it searches; get_search_results does the searching.
    search_fields = ["statement", "quote", "claimant__name", "source__title"]
    autocomplete_fields = ["claimant", "source"]
    inlines = [UpdateInline, AppearanceInline, ReminderInline]
    actions = ["assign_to_me", "publish_selected", "unpublish_selected", "export_csv"]
    # Published at: set by the Publish / Unpublish buttons (claims.admin.publication), with their reason.
    readonly_fields = ["created_at", "updated_at", "published_at"]
    change_form_template = "admin/claims/claim_change_form.html"
    # The reviews waiting; django-import-export (claims.imports) takes this as the base of its Import/Export list.
    change_list_template = "admin/claims/claim/change_list.html"
    prepopulated_fields = {"slug": ["statement"]}
    history_list_display = ["status"]  # see ClaimAdmin.status
    fieldsets = [
        (None, {"fields": ["statement", "quote", "claimant", "source", "slug", "claim_reviewed"]}),
        ("Deadline", {"fields": ["deadline_text", ("deadline_start", "deadline_end"), "deadline_precision"]}),
        (
            "Target",
            {"fields": [("target_quantity", "target_comparator", "target_value", "target_unit"), "actual_value"]},
        ),
        ("Status", {"fields": ["status", "resolved_on", "verdict"]}),
        (
            "Right of reply",
            {"fields": ["reply_requested_on", ("reply_on", "reply_url"), "reply_text", "no_reply_by"]},
        ),
        ("Desk", {"fields": ["notes", "assignee", "published_at", ("created_at", "updated_at")]}),
        # One reason for the whole save, its timeline and appearances included.
        ("Reason for this change", {"fields": ["change_reason", "is_correction", "opened_version"]}),
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
        publication = self.admin_site.admin_view(publication_view(self))
        return [
            path("due-soon/", due_soon, name="claims_claim_due_soon"),
            path("<path:object_id>/publication/", publication, name="claims_claim_publication"),
            *super().get_urls(),
        ]

    def get_changelist(self, request, **kwargs):
        return DeadlineOrderedChangeList

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The publication box above the form (claims.admin.publication), from the row already read.
        context.update(publication_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def action_checkbox(self, claim):
        """The same checkbox as Django's, written directly: rendering a widget template per row
        was a fifth of the claim list's time."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="Select this object for an action - {}">',
            helpers.ACTION_CHECKBOX_NAME, claim.pk, str(claim),
        )  # fmt: skip

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("assignee", request.user.pk)
        return initial

    def save_model(self, request, obj, form, change):
        # The services check the publish permission against the row as it is, not the form.
        reason, correction = self.reason_of(form, change), form.correction()
        if review_rule.required() and not services.is_system(request.user):
            previous = services.previous_state(obj)
            if proposed := review_rule.reviewable_changes(previous, obj):
                self._save_and_ask_for_review(request, obj, form, change, previous, proposed, reason, correction)
                return
        services.save_claim(
            obj,
            by=request.user,
            reason=reason,
            expected_version=self.version_of(form),
            correction=correction,
            validate=False,  # the form ran the model's validation
        )
        self._warn_long_claim_reviewed(request, obj)

    def _save_and_ask_for_review(self, request, obj, form, change, previous, proposed, reason, correction):
        """Save what readers will not see at once; turn the publication or outcome into a review request.

        The claim is saved as it was publicly (its publication and outcome as before) with
        the editor's other changes, then the review is asked for with what they proposed.
        A refusal of the request (one is already waiting) is told, and the rest kept.
        """
        if proposed.get("publish"):
            obj.published_at = None  # the draft's own fields (its status too) are saved as typed
            reviewed = {"published_at"}
        else:
            for name in review_rule.OUTCOME_FIELDS:  # the outcome as readers see it now
                setattr(obj, name, previous[name])
            reviewed = {"published_at", *review_rule.OUTCOME_FIELDS}
        if not change or set(form.changed_data) - reviewed - NOT_ROW_FIELDS:
            services.save_claim(
                obj, by=request.user, reason=reason, expected_version=self.version_of(form), validate=False
            )
        ask = {"correction": correction} if correction else {}
        try:
            services.request_review(obj, by=request.user, reason=reason, **proposed, **ask)
        except ValidationError as error:
            self.message_user(request, f"Not sent for review: {' '.join(error.messages)}", messages.ERROR)
            return
        what = review_rule.describe(proposed)
        self.message_user(
            request,
            f"Sent for review: {what} waits in “Awaiting review” for a chief editor other than you. "
            "Until it is approved, readers see the claim as it was.",
            messages.WARNING,
        )
        self._warn_long_claim_reviewed(request, obj)

    CLAIM_REVIEWED_MAX = 75

    def _warn_long_claim_reviewed(self, request, claim):
        """Search engines' fact-check guidelines want a short claimReviewed; warn, do not refuse."""
        if len(claim.short_claim_reviewed) > self.CLAIM_REVIEWED_MAX:
            self.message_user(
                request,
                f"The claim as reviewed in fact-check markup is {len(claim.short_claim_reviewed)} characters long: "
                f"write a short form (at most {self.CLAIM_REVIEWED_MAX}) in “Claim reviewed (short)”.",
                messages.WARNING,
            )

    def save_inline(self, request, obj, version, reason=None):
        if isinstance(obj, Update):
            done = "edited" if obj.pk else "added"
            reason = reason or f"Timeline update {done} in the admin"
            services.record_update(obj, by=request.user, reason=reason, expected_version=version)
        else:
            super().save_inline(request, obj, version, reason)

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
        """The status as the public site shows it: its words on its colour (static/public/status.css)."""
        return format_html('<span class="status status--{}">{}</span>', claim.status, claim.get_status_display())

    def status(self, historical_claim):
        """The status label as a column of the history page (which names the column after this method)."""
        return historical_claim.get_status_display()

    @admin.display(description="Deadline", ordering="deadline_end")
    def deadline(self, claim):
        if claim.deadline_end is None:
            return claim.deadline_text or formats.NO_DATE
        date = formats.newsroom_date(claim.deadline_end)
        return f"{claim.deadline_text} ({date})" if claim.deadline_text else date

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
            if not review_rule.required():
                actions.pop("publish_selected", None)  # with the rule, editors ask for publication
            actions.pop("unpublish_selected", None)
        return actions

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        def assign_to_me(claim, *, by, reason):
            return services.assign(claim, by, by=by, reason=reason)

        self._apply(request, queryset, assign_to_me, "assigned to you", reason="Assigned to me from the claim list")

    @admin.action(description="Publish (through review when the two-person rule is on)", permissions=["change"])
    def publish_selected(self, request, queryset):
        if not review_rule.required():
            if not self.has_publish_permission(request):
                raise PermissionDenied
            self._apply(request, queryset, services.publish, "published")
            return

        def ask_to_publish(claim, *, by, reason):
            if claim.published_at is None:
                services.request_review(claim, by=by, reason=reason, publish=True)

        self._apply(
            request, queryset, ask_to_publish, "sent for review", reason="Publication asked for from the claim list"
        )

    @admin.action(description="Unpublish", permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._apply(request, queryset, services.unpublish, "unpublished")

    def has_publish_permission(self, request):
        return request.user.has_perm(services.PUBLISH_PERMISSION)

    def _apply(self, request, queryset, service, verb, *, reason=None):
        """``service`` on each claim, one transaction each; a claim it refuses (a rule, a change
        made meanwhile) is reported by name and leaves the others done."""
        done, failed = 0, []
        for claim in queryset.select_related("claimant", "source"):
            try:
                service(claim, by=request.user, reason=reason or f"{verb.capitalize()} from the claim list")
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
        return csv_export.response(queryset)
