from django.db.models import Exists, F, OuterRef
from django.shortcuts import get_object_or_404, render

from claims import track_record
from claims.models import Claim, Claimant
from claims.views.base import BadPage, listed_claims, page_of
from claims.views.data import claimant_record

PER_PAGE = 25


def claimant_detail(request, slug):
    """A claimant's track record and claims. A claimant with no published claim does not exist publicly."""
    has_published = Exists(Claim.objects.published().filter(claimant=OuterRef("pk")))
    claimant = get_object_or_404(Claimant.objects.filter(has_published), slug=slug)
    record = claimant_record(request, claimant)
    context = {
        "claimant": claimant,
        "record": record,
        "errors": [],
        **track_record.chart_context(record, f"Status of {claimant.name}’s claims over time"),
    }
    claims = listed_claims().filter(claimant=claimant).order_by(F("deadline_end").asc(nulls_last=True), "id")
    try:
        context["page"] = page_of(claims, request.GET.get("page"), PER_PAGE)
    except BadPage as error:
        context["errors"] = [str(error)]
        return render(request, "public/claimant_detail.html", context, status=400)
    return render(request, "public/claimant_detail.html", context)
