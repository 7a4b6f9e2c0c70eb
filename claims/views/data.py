"""Aggregates shared by several pages, computed once per change of the register (see public_cache.remember)."""

from dataclasses import dataclass

from django.db.models import Exists, Max, Min, OuterRef

from claims import public_cache, track_record
from claims.models import Claim, Claimant

# Above this many claimants the list page offers a text box instead of a drop-down.
MAX_CLAIMANT_CHOICES = 300


@dataclass
class FilterChoices:
    claimants: list[tuple[str, str]]  # (slug, name); empty when there are too many to list
    too_many_claimants: bool
    years: list[int]


def site_record(request) -> track_record.TrackRecord:
    return public_cache.remember("track-record:all", track_record.compute, request=request)


def claimant_record(request, claimant: Claimant) -> track_record.TrackRecord:
    return public_cache.remember(
        f"track-record:claimant:{claimant.pk}",
        lambda: track_record.compute(Claim.objects.filter(claimant=claimant)),
        request=request,
    )


def _compute_filter_choices() -> FilterChoices:
    with_claims = Claimant.objects.filter(Exists(Claim.objects.published().filter(claimant=OuterRef("pk"))))
    claimants = list(with_claims.order_by("name").values_list("slug", "name")[: MAX_CLAIMANT_CHOICES + 1])
    span = Claim.objects.published().aggregate(first=Min("deadline_end"), last=Max("deadline_end"))
    years = list(range(span["first"].year, span["last"].year + 1)) if span["first"] else []
    too_many = len(claimants) > MAX_CLAIMANT_CHOICES
    return FilterChoices(claimants=[] if too_many else claimants, too_many_claimants=too_many, years=years)


def filter_choices(request) -> FilterChoices:
    return public_cache.remember("filter-choices", _compute_filter_choices, request=request)
