"""The editors' view of reminders: a read-only inline on the claim, and the "Due soon" page."""

import datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.utils import timezone

from claims.models import Claim, Reminder, newsroom_today
from claims.reminders.digest import build_items

DUE_SOON_DAYS = 30
# Rows per section of the Due soon page; the claim list's filters show everything.
DUE_SOON_LIMIT = 100


class ReadOnlyFormSet(BaseInlineFormSet):
    """The reminders inline only shows rows, so nothing posted for it is read or required.

    A view-only inline still expects its management form in every POST of the claim
    form; a client that does not send it (an older page, a script) would see its save
    refused for a table it cannot edit. This formset stays unbound and saves nothing.
    """

    def __init__(self, data=None, files=None, **kwargs):
        super().__init__(None, None, **kwargs)

    def is_valid(self):
        return True

    def save(self, commit=True):
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        self.save_m2m = lambda: None
        return []

    def get_queryset(self):
        """Nearest first: the next reminders to go out (soonest first), then those gone out (latest first)."""
        if not hasattr(self, "_nearest_first"):
            now = timezone.now()
            rows = list(super().get_queryset())
            upcoming = sorted((r for r in rows if r.due_at >= now), key=lambda r: (r.due_at, r.recipient_id))
            past = sorted((r for r in rows if r.due_at < now), key=lambda r: (r.due_at, r.recipient_id), reverse=True)
            self._nearest_first = upcoming + past
        return self._nearest_first


class ReminderInline(admin.TabularInline):
    model = Reminder
    formset = ReadOnlyFormSet
    extra = 0
    can_delete = False
    verbose_name_plural = "Reminders (written by the reminder sweep; read-only)"
    # A plain table, nearest first (ReadOnlyFormSet), without the claim's name on every row.
    template = "admin/claims/reminders_inline.html"
    fields = ["point", "deadline_end", "recipient", "due_at", "state", "sent_at", "attempts", "last_error"]
    readonly_fields = fields
    ordering = ["-due_at", "recipient_id"]

    @admin.display(description="Point")
    def point(self, reminder):
        return f"{reminder.get_kind_display()} ({reminder.offset_days:+d} d)"

    def get_queryset(self, request):
        # Not super(): it hides every row unless has_view_permission() holds without a claim,
        # which it never does here. The claim page has already checked it with its claim.
        return Reminder.objects.select_related("recipient").order_by(*self.ordering)

    def has_view_permission(self, request, obj=None):
        # Shown on an existing claim only: a new claim has no reminders yet.
        return obj is not None and super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def due_soon_claims(user, today: datetime.date):
    """Open claims overdue or due within DUE_SOON_DAYS: (the user's, everyone else's), most urgent first.

    Two queries, each served by an index (claims_claim_assignee_deadline for the user's,
    claims_claim_open_deadline_id for the rest), instead of one sort of every matching claim.
    """
    window = (
        Claim.objects.open()
        .filter(deadline_end__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
        .with_people()
        .order_by("deadline_end", "id")
    )
    mine = list(window.filter(assignee=user)[:DUE_SOON_LIMIT])
    others = list(window.exclude(assignee=user)[:DUE_SOON_LIMIT])
    return mine, others


def due_soon_view(model_admin):
    """Build the view for ClaimAdmin.get_urls (wrapped in admin_site.admin_view there)."""

    def view(request):
        if not model_admin.has_view_permission(request):
            raise PermissionDenied
        today = newsroom_today()
        mine, others = due_soon_claims(request.user, today)
        context = {
            **model_admin.admin_site.each_context(request),
            "title": "Due soon",
            "opts": model_admin.model._meta,
            "today": today,
            "days": DUE_SOON_DAYS,
            "limit": DUE_SOON_LIMIT,
            "sections": [
                ("Yours", "yours", build_items(mine, today)),
                ("Everyone else's", "others", build_items(others, today)),
            ],
        }
        return TemplateResponse(request, "admin/claims/due_soon.html", context)

    return view
