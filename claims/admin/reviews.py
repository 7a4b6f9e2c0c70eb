"""The "Awaiting review" list: publications and outcomes waiting for a second chief editor (claims/review.py).

Each review's page shows the proposed change against what readers see now, and a comment
box with Approve and Return buttons. The buttons POST (with the CSRF token) to a view
that calls claims.services, where the permission and the state are checked: a reviewer
who is the submitter or no chief editor, a review decided meanwhile (a double click,
another chief faster), or a claim changed since, is told so in a message, never a 500.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from claims import review as review_rule
from claims import services
from claims.models import Review, Status


class ReviewStateFilter(admin.SimpleListFilter):
    """By state; the list opens on the reviews waiting, not on everything ever decided."""

    title = "state"
    parameter_name = "state"
    DEFAULT = Review.State.PENDING

    def lookups(self, request, model_admin):
        return [*Review.State.choices, ("all", "All")]

    def queryset(self, request, queryset):
        value = self.value() or self.DEFAULT
        if value == "all":
            return queryset
        if value not in Review.State.values:
            return queryset.none()
        return queryset.filter(state=value)

    def choices(self, changelist):
        chosen = self.value() or self.DEFAULT
        for value, label in self.lookup_choices:
            yield {
                "selected": chosen == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


def may_see_reviews(user) -> bool:
    """Editors see the list (their own requests' fate); chief editors decide."""
    return user.is_active and user.is_staff and user.has_perm("claims.change_claim")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["claim_statement", "proposal", "submitter", "created_at", "waiting", "approvals"]
    list_select_related = ["claim", "submitter"]
    list_filter = [ReviewStateFilter]
    list_per_page = 50
    ordering = ["created_at", "id"]  # oldest waiting first
    search_fields = ["claim__statement", "reason"]

    def has_module_permission(self, request):
        return may_see_reviews(request.user)

    def has_view_permission(self, request, obj=None):
        return may_see_reviews(request.user)

    def has_add_permission(self, request):
        return False  # asked for from the claim (its Save, or the list's Publish action)

    def has_change_permission(self, request, obj=None):
        return False  # decided with the buttons of its page, through the services

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who approved what stays

    @admin.display(description="Claim", ordering="claim__statement")
    def claim_statement(self, review):
        return str(review.claim)

    @admin.display(description="Proposed")
    def proposal(self, review):
        changes = review.changes
        parts = []
        if changes.get("publish"):
            parts.append("publish")
        if "status" in changes:
            parts.append(f"status: {Status(changes['status']).label}")
        if "verdict" in changes:
            parts.append("verdict")
        if "resolved_on" in changes and "status" not in changes:
            parts.append("outcome date")
        return ", ".join(parts)

    @admin.display(description="Waiting")
    def waiting(self, review):
        if not review.is_pending:
            return review.get_state_display()
        hours = int((timezone.now() - review.created_at).total_seconds() // 3600)
        return f"{hours} h" if hours < 48 else f"{hours // 24} days"

    @admin.display(description="Approvals")
    def approvals(self, review):
        given = sum(decision.decision == "approve" for decision in review.decisions.all())
        return f"{given} of {settings.REVIEW_APPROVALS}"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("decisions")

    def get_urls(self):
        decide = self.admin_site.admin_view(require_POST(self.decide_view))
        return [path("<int:review_id>/decide/", decide, name="claims_review_decide"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The review's page: the change against what readers see, the decisions so far, the buttons."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            review = Review.objects.select_related("claim__claimant", "submitter").get(pk=int(object_id))
        except (ValueError, Review.DoesNotExist):
            raise Http404("No such review.") from None
        claim = review.claim
        user = request.user
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Review of “{claim}”",
            "review": review,
            "claim": claim,
            "rows": review_rule.diff_rows(review, claim),
            "preview": review_rule.public_preview(claim, review) if review.changes.get("publish") else [],
            "decisions": review.decisions.select_related("reviewer"),
            "needed": settings.REVIEW_APPROVALS,
            "may_decide": review.is_pending
            and user.has_perm(services.PUBLISH_PERMISSION)
            and user.pk != review.submitter_id,
            "own": user.pk == review.submitter_id,
            "decide_url": reverse("admin:claims_review_decide", args=[review.pk]),
            "claim_url": reverse("admin:claims_claim_change", args=[claim.pk]),
        }
        return TemplateResponse(request, "admin/claims/review.html", context)

    def decide_view(self, request, review_id):
        review = get_object_or_404(Review, pk=review_id)
        here = reverse("admin:claims_review_change", args=[review.pk])
        action = request.POST.get("decision")
        comment = (request.POST.get("comment") or "").strip()[:5000]
        try:
            if action == "approve":
                services.approve_review(review, by=request.user, comment=comment)
            elif action == "return":
                services.return_review(review, by=request.user, comment=comment)
            else:
                raise ValidationError("Choose Approve or Return.")
        except (PermissionDenied, ValidationError) as error:
            text = "; ".join(getattr(error, "messages", None) or [str(error) or "You may not decide this review."])
            messages.error(request, text)
            return HttpResponseRedirect(here)
        review.refresh_from_db()
        if review.state == Review.State.APPROVED:
            messages.success(request, format_html("Approved: “{}” is now public as proposed.", review.claim))
        elif review.state == Review.State.RETURNED:
            messages.success(request, "Returned to its submitter with your comment; nothing public changed.")
        else:
            messages.success(request, "Your approval is recorded; the review waits for another chief editor.")
        return HttpResponseRedirect(reverse("admin:claims_review_changelist"))


def awaiting_review_count() -> int:
    """Reviews waiting (one COUNT on the pending reviews' index)."""
    return Review.objects.filter(state=Review.State.PENDING).count()
