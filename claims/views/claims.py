import functools

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from claims import compiled, fragments, public_cache
from claims.api.filters import SORTS, STATUS_GROUPS, ClaimFilter
from claims.models import Claim, Status
from claims.readers.embed import discovery_link
from claims.templatetags.public import ld_json
from claims.views import claim_review, frame, reply, timeline
from claims.views.base import BadPage, SearchTooSlow, page_of, public_claims, search_time_limit
from claims.views.data import (
    FILTER_CHOICES,
    SITE_RECORD,
    FilterChoices,
    cached_site_record,
    deadline_years,
    filter_choices,
)

PER_PAGE = 25
TITLE = "All claims"
STATUS_CHOICES = STATUS_GROUPS + list(Status.choices)
SORT_CHOICES = [(key, label) for key, (label, _) in SORTS.items()]


def claim_list(request):
    """All published claims, filtered, searched, sorted and paged (no COUNT(*) per page)."""
    public_cache.prefetch(request, FILTER_CHOICES, SITE_RECORD)
    filters = ClaimFilter(request.GET, queryset=Claim.objects.published())
    valid = filters.is_valid()
    selected_year = filters.form.cleaned_data.get("year") if valid else None
    choices = filter_choices(request)
    context = {
        "filter_form": filter_form(request.GET, choices, deadline_years(choices, selected_year)),
        "page": None,
        "errors": [],
        "heading": TITLE,
    }
    if not valid:
        fields = filters.form.fields
        context["errors"] = [f"{fields[name].label}: {' '.join(messages)}" for name, messages in filters.errors.items()]
        return frame.render(request, "public/claim_list.html", context, title=TITLE, nav="claims", status=400)
    try:
        key = filters.compiled_key()
        if key is None:  # a search
            with search_time_limit():
                context["page"] = page_of(filters.qs, request.GET.get("page"), PER_PAGE)
        else:
            # The queryset is built only when the page's SQL is compiled (once per connection and key).
            page = request.GET.get("page")
            context["page"] = page_of(lambda: filters.qs, page, PER_PAGE, compiled_as=("claim-list", key))
    except (BadPage, SearchTooSlow) as error:
        # Both ask the reader to narrow the list (a 4xx: the request, not the server, is at fault).
        context["errors"] = [str(error)]
        return frame.render(request, "public/claim_list.html", context, title=TITLE, nav="claims", status=400)
    record = cached_site_record(request)
    if record is not None and filters.only_status_filtered():
        # The size of "all claims" or "one status" is known from the counts, when they are at hand.
        status = filters.form.cleaned_data.get("status")
        context["total"] = {"": record.total, "open": record.open, "closed": record.resolved}.get(
            status or "", record.counts.get(status, 0)
        )
    page = context["page"]
    if context.get("total") is None and not page.has_next:
        context["total"] = page.last_index if page.items else 0  # the last page: every match is counted
    context["heading"] = list_heading(filters.form.cleaned_data, context.get("total"))
    return frame.render(request, "public/claim_list.html", context, title=context["heading"], nav="claims")


# What the list's heading calls the claims a status filter leaves (the groups' own labels are for the drop-down).
STATUS_HEADINGS = {"open": "Open", "closed": "With an outcome", **dict(Status.choices)}


def list_heading(filters: dict, total: int | None) -> str:
    """The list's heading, following its filters: "All 9 claims", "In the works: 3 claims", "Matching your filters"."""
    status = filters.get("status")
    if status:
        label = str(STATUS_HEADINGS.get(status, status))
    elif any(filters.get(name) for name in ("claimant", "year", "overdue", "q")):
        label = "Matching your filters"
    else:
        return TITLE if total is None else f"All {total} claim{'' if total == 1 else 's'}"
    return label if total is None else f"{label}: {total} claim{'' if total == 1 else 's'}"


FORM_FIELDS = ("q", "status", "claimant", "year", "sort", "overdue")


def filter_form(query, choices: FilterChoices, years: list[int]) -> SafeString:
    """The filters as asked (templates/public/_claim_filters.html), rendered once per process for each set of values.

    Most readers open the list without filters or with one of a few; rendering the form's
    template on every request was a quarter of the page's Python time.
    """
    values = tuple((name, query[name]) for name in FORM_FIELDS if name in query)
    claimants = tuple(choices.claimants)
    return _remembered_filter_form(values, choices.too_many_claimants, claimants, tuple(years), get_script_prefix())


@functools.lru_cache(maxsize=256)
def _remembered_filter_form(
    values: tuple, too_many_claimants: bool, claimants: tuple, years: tuple, script_prefix: str
) -> SafeString:
    # Everything the form is made of is in the key, its addresses (the script prefix) included.
    context = {
        "values": dict(values),
        "choices": FilterChoices(claimants=list(claimants), too_many_claimants=too_many_claimants),
        "status_choices": STATUS_CHOICES,
        "sort_choices": SORT_CHOICES,
        "years": [(year, year) for year in years],
    }
    return mark_safe(render_to_string("public/_claim_filters.html", context))


def claim_detail(request, slug):
    """A claim's page: its parts come from claims.fragments while the claim has not changed."""
    found = compiled.values("claim-by-slug", None, _claim_version, slug)
    if not found:
        raise Http404("No published claim has this address.")
    pk, stamp = found[0]["pk"], found[0]["public_changed_at"]
    return frame.page(fragments.remember("claim-page", pk, stamp, lambda: claim_page_parts(pk)))


def _claim_version(slug):
    # One row at most: slugs are unique.
    return Claim.objects.published().filter(slug=slug).order_by().values("pk", "public_changed_at")


def claim_page_parts(pk: int) -> dict:
    """What the claim's page shows, as text: title and description (plain), head and content (HTML)."""
    claim = get_object_or_404(public_claims(), pk=pk)  # unpublished since its stamp was read: gone
    updates = list(claim.updates.order_by("date", "id"))
    appearances = list(claim.appearances.select_related("source").defer("source__body"))
    story = timeline.build(claim, timeline.public_history(claim), updates)
    review = claim_review.claim_review(claim, appearances=appearances, status_published_at=story.status_published_at)
    context = {
        "claim": claim,
        "reply_sentence": reply.sentence(claim),
        "appearances": appearances,
        "timeline": story.entries,
        "corrections": story.corrections,
    }
    statement = Truncator(claim.statement)
    return {
        "title": statement.chars(80),
        "description": f"{claim.claimant.name}: {statement.chars(150)} Status: {claim.get_status_display()}.",
        "head": ld_json(review) + discovery_link(claim),
        "content": render_to_string("public/_claim_content.html", context),
    }
