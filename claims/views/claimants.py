from django.db.models import Exists, F, OuterRef
from django.shortcuts import get_object_or_404, render

from claims import public_cache
from claims.models import Claim, Claimant
from claims.templatetags.public import path
from claims.views.base import BadPage, page_of
from claims.views.data import block_name, claimant_record, claimant_record_name, record_block

PER_PAGE = 25


def claimant_detail(request, slug):
    """A claimant's track record and claims. A claimant with no published claim does not exist publicly."""
    has_published = Exists(Claim.objects.published().filter(claimant=OuterRef("pk")))
    claimant = get_object_or_404(Claimant.objects.filter(has_published), slug=slug)
    public_cache.prefetch(request, claimant_record_name(claimant), block_name(claimant_record_name(claimant)))
    record = claimant_record(request, claimant)
    context = {
        "claimant": claimant,
        "record": record,
        "errors": [],
        "record_block": record_block(
            request,
            claimant_record_name(claimant),
            record,
            record_heading="Record",
            chart_title=f"Status of {claimant.name}’s claims over time",
            link_base=f"{path('claim-list')}?claimant={claimant.slug}&",
        ),
    }
    claims = Claim.objects.published().filter(claimant=claimant).order_by(F("deadline_end").asc(nulls_last=True), "id")
    try:
        context["page"] = page_of(claims, request.GET.get("page"), PER_PAGE)
    except BadPage as error:
        context["errors"] = [str(error)]
        return render(request, "public/claimant_detail.html", context, status=400)
    return render(request, "public/claimant_detail.html", context)
