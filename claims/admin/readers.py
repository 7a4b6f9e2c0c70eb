"""The desk's pages for readers: the tips inbox, and the subscribers (staff only, with erasure).

- Reader tips: the inbox of claims readers suggested. An editor sends a tip to intake
  (prefilled from it; the claims kept there are linked to the tip), marks it a duplicate
  of a claim, dismisses it, or puts it back among the new ones. The tipster's address is
  not shown to the desk, only whether one was left and confirmed.
- Readers: the addresses that follow something or left one with a tip, with what each
  follows; read-only. Chief editors (the delete permission) erase a reader on request:
  the address, every subscription and waiting message go, and the log names the reader
  by number, never by address.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import DELETION, LogEntry
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from claims.models import Reader, ReaderTip, Subscription
from claims.readers import subscriptions, tips


class TipDecisionForm(forms.ModelForm):
    class Meta:
        model = ReaderTip
        fields = ["state", "duplicate_of"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        state = self.fields["state"]
        # "Taken in" is what intake records when it keeps claims from the tip, not a choice.
        chosen = [ReaderTip.State.NEW, ReaderTip.State.DUPLICATE, ReaderTip.State.DISMISSED]
        if self.instance.state == ReaderTip.State.ACCEPTED:
            chosen.insert(1, ReaderTip.State.ACCEPTED)
        state.choices = [(value, ReaderTip.State(value).label) for value in chosen]
        state.help_text = (
            "To take a tip in, send it to intake (the link above): the claims kept there are linked to it."
        )
        self.fields["duplicate_of"].help_text = "The claim already in the register that this tip repeats."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("state") == ReaderTip.State.DUPLICATE and not cleaned.get("duplicate_of"):
            self.add_error("duplicate_of", "Choose the claim this tip duplicates.")
        return cleaned


@admin.register(ReaderTip)
class ReaderTipAdmin(admin.ModelAdmin):
    form = TipDecisionForm
    list_display = ["created_at", "claimant", "short_statement", "state", "tipster", "to_intake"]
    list_filter = ["state"]
    search_fields = ["statement", "claimant", "url"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["duplicate_of"]
    readonly_fields = [
        "to_intake", "statement", "claimant", "link", "tipster", "created_at", "claims_from_it", "handled_by",
        "handled_at",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["to_intake", "statement", "claimant", "link", "tipster", "created_at"]}),
        ("Decision", {"fields": ["state", "duplicate_of", "claims_from_it", "handled_by", "handled_at"]}),
    ]
    actions = ["dismiss", "mark_new"]

    def has_add_permission(self, request):
        return False  # tips come from readers (/suggest/)

    @admin.display(description="What was claimed")
    def short_statement(self, tip):
        return tip.statement if len(tip.statement) <= 100 else tip.statement[:99] + "…"

    @admin.display(description="Where")
    def link(self, tip):
        if not tip.url:
            return "—"
        return format_html('<a href="{}" rel="nofollow noopener noreferrer" target="_blank">{}</a>', tip.url, tip.url)

    @admin.display(description="Tipster")
    def tipster(self, tip):
        if tip.reader_id is None:
            return "no address"
        if tip.email_confirmed_at:
            return "address confirmed: told when a claim from it is published"
        return "address left, not confirmed"

    @admin.display(description="Intake")
    def to_intake(self, tip):
        if tip.pk is None:
            return ""
        return format_html('<a class="button" href="{}?tip={}">Send to intake</a>', reverse("intake:start"), tip.pk)

    @admin.display(description="Claims made from it")
    def claims_from_it(self, tip):
        claims = list(tip.claims.order_by("id"))
        if not claims:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>{}',
            (
                (reverse("admin:claims_claim_change", args=[c.pk]), c, "" if c.published_at else " (draft)")
                for c in claims
            ),
        )

    def save_model(self, request, obj, form, change):
        tips.decide(obj, form.cleaned_data["state"], by=request.user, duplicate_of=form.cleaned_data["duplicate_of"])

    @admin.action(description="Dismiss the selected tips", permissions=["change"])
    def dismiss(self, request, queryset):
        for tip in queryset:
            tips.decide(tip, ReaderTip.State.DISMISSED, by=request.user)
            self.log_change(request, tip, "Dismissed")
        self.message_user(request, f"Dismissed {len(queryset)} tip(s).", messages.SUCCESS)

    @admin.action(description="Put the selected tips back among the new ones", permissions=["change"])
    def mark_new(self, request, queryset):
        for tip in queryset:
            tips.decide(tip, ReaderTip.State.NEW, by=request.user)
            self.log_change(request, tip, "Back among the new tips")
        self.message_user(request, f"{len(queryset)} tip(s) are new again.", messages.SUCCESS)


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    can_delete = False
    fields = ["target", "claim", "claimant", "created_at", "confirmed_at"]
    readonly_fields = fields
    verbose_name_plural = "Follows (read-only)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Reader)
class ReaderAdmin(admin.ModelAdmin):
    """Subscribers, for staff with the view permission; erasure for those with the delete permission."""

    list_display = ["email", "created_at", "follows", "confirmed"]
    search_fields = ["email"]
    fields = ["email", "created_at"]
    readonly_fields = fields
    inlines = [SubscriptionInline]
    actions = ["erase"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                follow_count=Count("subscriptions"),
                confirmed_count=Count("subscriptions", filter=Q(subscriptions__confirmed_at__isnull=False)),
            )
        )

    @admin.display(description="Follows", ordering="follow_count")
    def follows(self, reader):
        return reader.follow_count

    @admin.display(description="Confirmed", ordering="confirmed_count")
    def confirmed(self, reader):
        return reader.confirmed_count

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # erasing goes through the erase action, which logs it properly
        return actions

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # no delete button: "Erase" below is the way, for those allowed to erase

    def has_erase_permission(self, request):
        return request.user.has_perm("claims.delete_reader")

    @admin.action(description="Erase the selected readers (address, follows, waiting emails)", permissions=["erase"])
    def erase(self, request, queryset):
        for reader in list(queryset):
            number = reader.pk
            LogEntry.objects.log_actions(
                request.user.pk,
                [reader],  # its repr is "reader #N": the address stays out of the log
                DELETION,
                change_message="Erased on request (address, follows and waiting emails).",
                single_object=True,
            )
            subscriptions.erase(reader, by=request.user)
            self.message_user(request, f"Reader #{number} erased.", messages.SUCCESS)
