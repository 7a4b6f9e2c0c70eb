"""Publishing and unpublishing from a claim's page: two buttons with their own reason.

A small POST view beside the claim's change form (not a "Published at" date picker in
it): the reason typed goes into the history, the version the page was opened at travels
with the form, and claims.services.publish/unpublish check the permission (and the
second factor, through the permission) on the server. A refusal (no permission, a claim
changed since the page was opened, a rule of the claim) comes back as a message on the
claim's page with the reason the editor typed still in its box; never as an error page.

Under the two-person rule (REVIEW_REQUIRED, claims.review) the Publish button asks for a
review instead (claims.services.request_review, ``publish=True``), which any editor may
do; a second chief editor's approval publishes. Unpublishing takes nothing from readers'
trust that a review would guard, and stays a chief editor's button.
"""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from claims import review as review_rule
from claims import services
from claims.models import Claim

# An id or a version as a form sends it: ASCII digits, and few of them ("²".isdigit() is true,
# and int() refuses a string of thousands of digits: both were server errors).
NUMBER = re.compile(r"[0-9]{1,12}")
# The reason box keeps what was typed when a publication is refused (the page is opened again with it).
KEEP_REASON = "publication_reason"
REASON_MAX_LENGTH = 2000


def publication_view(model_admin):
    """Build the view for ClaimAdmin.get_urls (wrapped in admin_site.admin_view there: staff, CSRF)."""

    def view(request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not NUMBER.fullmatch(str(object_id)):
            raise Http404("No such claim.")
        claim = get_object_or_404(Claim.objects.select_related("claimant", "source"), pk=int(object_id))
        if not model_admin.has_view_permission(request, claim):
            raise PermissionDenied
        change_url = reverse("admin:claims_claim_change", args=[claim.pk])
        action = request.POST.get("action")
        reason = (request.POST.get("reason") or "").strip()[:REASON_MAX_LENGTH]

        def refused(message):
            messages.error(request, message)
            return HttpResponseRedirect(f"{change_url}?{urlencode({KEEP_REASON: reason})}" if reason else change_url)

        if action not in ("publish", "unpublish"):
            return refused("Choose Publish or Unpublish.")
        if not reason:
            return refused(f"Give a reason to {action} this claim; it is kept in the history.")
        version = request.POST.get("version", "")
        if not NUMBER.fullmatch(version):
            return refused("This form was sent without the version it was opened at: reload the page and try again.")
        if action == "publish" and review_rule.required():
            if claim.version != int(version):
                return refused("Not sent for review: this claim was changed since you opened it. Reload the page.")
            try:
                services.request_review(claim, by=request.user, reason=reason, publish=True)
            except PermissionDenied as error:
                return refused(str(error) or "You may not ask for a review.")
            except ValidationError as error:
                return refused(f"Not sent for review: {' '.join(error.messages)}")
            messages.success(request, f"“{claim}” sent for review: it is published when another chief editor approves.")
            return HttpResponseRedirect(change_url)
        service = services.publish if action == "publish" else services.unpublish
        try:
            service(claim, by=request.user, reason=reason, expected_version=int(version))
        except PermissionDenied as error:
            return refused(str(error) or "You may not publish or unpublish claims.")
        except ValidationError as error:
            return refused(f"Not {action}ed: {' '.join(error.messages)}")
        messages.success(request, f"“{claim}” {'published' if action == 'publish' else 'taken off the site'}.")
        return HttpResponseRedirect(change_url)

    return view


def publication_context(request, claim: Claim | None) -> dict:
    """What the claim's page shows in its publication box (templates/admin/claims/claim_change_form.html)."""
    if claim is None or claim.pk is None:
        return {}
    return {
        "publication": {
            "url": reverse("admin:claims_claim_publication", args=[claim.pk]),
            "published_at": claim.published_at,
            "version": claim.version,
            "may_publish": request.user.has_perm(services.PUBLISH_PERMISSION),
            # Under the two-person rule a draft's button asks for a review, which editors may do too.
            "review": review_rule.required(),
            "may_request": review_rule.required() and request.user.has_perm("claims.change_claim"),
            "reason": request.GET.get(KEEP_REASON, "")[:REASON_MAX_LENGTH],
        }
    }
