from claims import public_cache
from claims.models import newsroom_today
from claims.templatetags.public import path
from claims.views import frame
from claims.views.base import listed_claims
from claims.views.data import (
    SITE_RECORD,
    block_name,
    recently_resolved,
    recently_resolved_name,
    record_block,
    site_record,
)

DUE_SOON_DAYS = 60
LIST_LENGTH = 6
TITLE = "What was promised, and what became of it"


def overview(request):
    """Counts by status, what is due soon, what is overdue and what was resolved lately."""
    public_cache.prefetch(request, SITE_RECORD, block_name(SITE_RECORD), recently_resolved_name(LIST_LENGTH))
    today = newsroom_today()
    claims = listed_claims()
    record = site_record(request)
    context = {
        "record_block": record_block(
            request,
            SITE_RECORD,
            record,
            record_heading="The record so far",
            chart_title="Status of all claims over time",
            link_base=f"{path('claim-list')}?",
        ),
        "due_soon": list(claims.due_within(DUE_SOON_DAYS, today).order_by("deadline_end", "id")[:LIST_LENGTH]),
        "overdue": list(claims.overdue(today).order_by("-deadline_end", "-id")[:LIST_LENGTH]),
        "recently_resolved": recently_resolved(request, LIST_LENGTH),
        "due_soon_days": DUE_SOON_DAYS,
    }
    return frame.render(request, "public/overview.html", context, title=TITLE, nav="overview")
