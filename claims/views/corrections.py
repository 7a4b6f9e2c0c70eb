"""The corrections log: every correction readers were told of, newest first.

IFCN's code of principles and the search engines' fact-check guidelines ask a desk for a
public corrections policy and log. A correction is a write marked as one on a published
claim (claims.services, ``correction=``); its history row carries the explanation and is
a public event (claims.history), read here from the corrections' own small index. As in
the feed, the claim is named in its words of now, and only while it is published: a
claim taken down takes its corrections off the log with it.
"""

from claims.models import FeedEntry, historical_claim_model
from claims.views import frame
from claims.views.base import BadPage, of_published_claim, page_of

PER_PAGE = 50
TITLE = "Corrections"


def _corrections():
    return (
        historical_claim_model()
        .objects.filter(feed_entry=FeedEntry.CORRECTION)
        .annotate(
            slug_now=of_published_claim("slug"),
            statement_now=of_published_claim("statement"),
            claimant_now=of_published_claim("claimant__name"),
        )
        .filter(slug_now__isnull=False)
        .order_by("-history_date", "-history_id")
    )


def _rows(corrections):
    """What the log shows of each correction: a sliceable queryset of named rows, as page_of wants."""
    return corrections.values_list(
        "history_date", "correction", "slug_now", "statement_now", "claimant_now", named=True
    )


def corrections(request):
    try:
        page = page_of(_corrections(), request.GET.get("page"), PER_PAGE, rows=_rows)
    except BadPage as error:
        context = {"errors": [str(error)], "page": None}
        return frame.render(request, "public/corrections.html", context, title=TITLE, status=400)
    return frame.render(request, "public/corrections.html", {"page": page, "errors": []}, title=TITLE)
