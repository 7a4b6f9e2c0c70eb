"""Aggregates shared by several pages, computed once per change of the register (see public_cache.remember)."""

from dataclasses import dataclass

from django.db.models import Exists, Max, Min, OuterRef
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from claims import public_cache, public_refresh, track_record
from claims.models import Claim, Claimant
from claims.views.base import ListedClaim, listed_claims

# Above this many claimants the list page offers a text box instead of a drop-down.
MAX_CLAIMANT_CHOICES = 300


@dataclass
class FilterChoices:
    claimants: list[tuple[str, str]]  # (slug, name); empty when there are too many to list
    too_many_claimants: bool
    # The years from the earliest to the latest deadline of a published claim (none: no dated claim).
    years: tuple[int, ...] = ()


SITE_RECORD = "track-record:all"


def _compute_site_record() -> track_record.TrackRecord:
    return track_record.compute()


# Its chart query takes seconds at a million claims: a worker recomputes it after each change.
public_refresh.keep_fresh(SITE_RECORD, _compute_site_record)


def site_record(request) -> track_record.TrackRecord:
    return public_cache.remember(
        SITE_RECORD, _compute_site_record, request=request, timeout=public_refresh.KEEP_SECONDS
    )


def cached_site_record(request) -> track_record.TrackRecord | None:
    """The site's record if it is at hand; None rather than running its aggregate queries."""
    return public_cache.peek(SITE_RECORD, request=request)


def claimant_record_name(claimant: Claimant) -> str:
    return f"track-record:claimant:{claimant.pk}"


def claimant_record(request, claimant: Claimant) -> track_record.TrackRecord:
    return public_cache.remember(
        claimant_record_name(claimant),
        lambda: track_record.compute(Claim.objects.filter(claimant=claimant)),
        request=request,
    )


def record_block(request, name: str, record: track_record.TrackRecord, **context) -> SafeString:
    """The record, the counts by status and the chart (templates/public/_record_block.html).

    They are a function of the record alone, so they are rendered once per change of the
    register and kept with it (``name`` is the record's own name), rather than on every
    request: the chart and its table were most of the overview's rendering time. Context:
    ``record_heading``, ``chart_title`` and ``link_base`` (the list's address with a "?"
    or "&" to add a status to).
    """
    chart_title = context.pop("chart_title")

    def render() -> str:
        return render_to_string(
            "public/_record_block.html",
            {"record": record, **context, **track_record.chart_context(record, chart_title)},
        )

    if getattr(request, "public_cache_stale_data", False):
        # The record is the previous one (another request is computing the new one): its
        # rendering must not be kept under the current generation.
        return mark_safe(render())
    return mark_safe(public_cache.remember(block_name(name), render, request=request))


def _compute_filter_choices() -> FilterChoices:
    with_claims = Claimant.objects.filter(Exists(Claim.objects.published().filter(claimant=OuterRef("pk"))))
    claimants = list(with_claims.order_by("name").values_list("slug", "name")[: MAX_CLAIMANT_CHOICES + 1])
    too_many = len(claimants) > MAX_CLAIMANT_CHOICES
    # MIN and MAX each walk the deadline index (claims_claim_deadline_id) from one end: no scan.
    span = Claim.objects.published().aggregate(first=Min("deadline_end"), last=Max("deadline_end"))
    years = tuple(range(span["first"].year, span["last"].year + 1)) if span["first"] else ()
    return FilterChoices(claimants=[] if too_many else claimants, too_many_claimants=too_many, years=years)


FILTER_CHOICES = "filter-choices"


def filter_choices(request) -> FilterChoices:
    return public_cache.remember(FILTER_CHOICES, _compute_filter_choices, request=request)


def deadline_years(choices: FilterChoices, selected: int | None = None) -> list[int]:
    """Years for the drop-down: those the published deadlines span, plus a year asked for outside them.

    Kept with the other filter choices (FILTER_CHOICES), so computed once per change of the register.
    """
    years = set(getattr(choices, "years", ()))  # a FilterChoices cached before years were kept has none
    if selected:
        years.add(selected)
    return sorted(years)


def recently_resolved(request, length: int) -> list[ListedClaim]:
    """Published claims with the latest outcomes, kept until the next change.

    Sorting every closed claim by resolved_on has no index to walk (see docs/public.md), so
    the short list is computed once per change of the register rather than per request.
    """

    def compute():
        # Only claims with an outcome date, newest first: the order of claims_claim_pub_resolved.
        closed = listed_claims().closed().filter(resolved_on__isnull=False).order_by("-resolved_on", "-id")
        return list(closed[:length])

    return public_cache.remember(recently_resolved_name(length), compute, request=request)


def recently_resolved_name(length: int) -> str:
    return f"recently-resolved:{length}"


def block_name(record_name: str) -> str:
    return f"{record_name}:html"
