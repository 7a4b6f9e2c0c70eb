from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string

from claims import compiled, fragments, public_cache
from claims.models import Claim, Claimant
from claims.templatetags.public import path
from claims.views import frame
from claims.views.base import BadPage, page_number, page_of
from claims.views.data import block_name, claimant_record, claimant_record_name, record_block

PER_PAGE = 25


def claimant_detail(request, slug):
    """A claimant's track record and claims. A claimant with no published claim does not exist publicly.

    The page's parts come from claims.fragments while the claimant's page has not changed
    (Claimant.public_changed_at moves with any public change of its claims).

    A claimant known only from drafts answers exactly as an address nobody has: the one
    query that finds the claimant finds only those with a published claim, so both 404s
    run the same query and nothing else (no Redis, no template), and take the same time.
    """
    found = compiled.values("claimant-by-slug", None, _claimant_version, slug)
    if not found:
        raise Http404("No claimant has this address.")
    pk, stamp = found[0]["pk"], found[0]["public_changed_at"]
    try:
        number = page_number(request.GET.get("page"))
    except BadPage as error:
        return frame.page(claimant_page_parts(request, pk, errors=[str(error)]), status=400)
    # Other parameters never get here (claims.urls: cache_public keeps ``page`` only), so the parts
    # are kept per page number, not under every address anyone can make up.
    parts = fragments.remember(
        "claimant-page", f"{pk}:{number}", stamp, lambda: claimant_page_parts(request, pk), request=request
    )
    return frame.page(parts)


def _claimant_version(slug):
    # The EXISTS reads the claimant's first published claim from claims_claim_pub_claimant.
    return Claimant.objects.filter(_has_published(), slug=slug).order_by().values("pk", "public_changed_at")


def _has_published() -> Exists:
    return Exists(Claim.objects.published().filter(claimant=OuterRef("pk")))


def claimant_page_parts(request, pk: int, *, errors: tuple = ()) -> dict:
    """The page's title and description (plain text) and content (HTML)."""
    # Again: its last claim may have been unpublished since the page's version was read.
    claimant = get_object_or_404(Claimant.objects.filter(_has_published()), pk=pk)
    public_cache.prefetch(request, claimant_record_name(claimant), block_name(claimant_record_name(claimant)))
    record = claimant_record(request, claimant)
    context = {
        "claimant": claimant,
        "record": record,
        "errors": list(errors),
        "page": None,
        "record_block": record_block(
            request,
            claimant_record_name(claimant),
            record,
            record_heading="Record",
            chart_title=f"Status of {claimant.name}’s claims over time",
            link_base=f"{path('claim-list')}?claimant={claimant.slug}&",
        ),
    }
    if not errors:
        claims = Claim.objects.published().filter(claimant=claimant)
        claims = claims.order_by(F("deadline_end").asc(nulls_last=True), "id")
        context["page"] = page_of(claims, request.GET.get("page"), PER_PAGE)
    return {
        "title": f"{claimant.name}: track record",
        "description": (
            f"How {claimant.name} kept its promises: {record.total} claims tracked by {settings.NEWSROOM_NAME}."
        ),
        "content": render_to_string("public/_claimant_content.html", context, request=request),
    }
