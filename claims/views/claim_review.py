"""schema.org ClaimReview markup for claims with an outcome (a closed status).

The rating is the promise meter on a 1 (missed) to 5 (fulfilled) scale, with the status
label as ``alternateName``. "Unverifiable" has no place on that scale: a number would
rank "we cannot tell" between "missed" and "fulfilled". Its review therefore carries
the label alone, without ``ratingValue``, ``bestRating`` and ``worstRating``.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from claims.models import Appearance, Claim, Claimant, Source
from claims.views.base import absolute

BEST_RATING, WORST_RATING = 5, 1


def _creative_work(source: Source, quote: str = "") -> dict:
    work = {"@type": "CreativeWork", "headline": source.title}
    if source.url:
        work["url"] = source.url
    if source.published_on:
        work["datePublished"] = source.published_on.isoformat()
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if quote:
        work["text"] = quote
    return work


def _claimant(claimant: Claimant) -> dict:
    """The claim's author: ``sameAs`` its own website when known, ``url`` its track record here."""
    kind = "Person" if claimant.kind == Claimant.Kind.PERSON else "Organization"
    author = {"@type": kind, "name": claimant.name}
    if claimant.url:
        author["sameAs"] = claimant.url
    author["url"] = absolute(claimant.get_absolute_url())
    return author


def _publisher() -> dict:
    """Our newsroom, with its methodology as publishingPrinciples (the fact-check guidelines ask for it)."""
    return {
        "@type": "Organization",
        "name": settings.NEWSROOM_NAME,
        "url": settings.NEWSROOM_URL,
        "publishingPrinciples": absolute(reverse("methodology")),
    }


def claim_review(
    claim: Claim, *, appearances: list[Appearance], status_published_at: datetime.datetime | None
) -> dict | None:
    """The ClaimReview of a published claim with a closed status; None while it is open."""
    status = claim.status_enum
    if status.is_open or claim.published_at is None:
        return None
    item = {
        "@type": "Claim",
        "author": _claimant(claim.claimant),
        "appearance": [_creative_work(claim.source, claim.quote)]
        + [_creative_work(a.source, a.quote) for a in appearances],
        "firstAppearance": _creative_work(claim.source, claim.quote),
    }
    if claim.source.published_on:
        item["datePublished"] = claim.source.published_on.isoformat()
    rating = {"@type": "Rating", "alternateName": status.label}
    if status.rating is not None:
        rating.update(ratingValue=status.rating, bestRating=BEST_RATING, worstRating=WORST_RATING)
    if claim.verdict:
        rating["ratingExplanation"] = claim.verdict
    published = status_published_at or claim.published_at
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": absolute(claim.get_absolute_url()),
        # Short, as the guidelines ask (the admin warns above 75 characters): the editors' short form.
        "claimReviewed": claim.short_claim_reviewed,
        "itemReviewed": item,
        "reviewRating": rating,
        "author": _publisher(),
        "datePublished": timezone.localdate(published).isoformat(),
    }
    if claim.verdict:
        review["reviewBody"] = claim.verdict
    return review
