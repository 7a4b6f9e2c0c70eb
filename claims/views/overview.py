from claims import compiled, public_cache
from claims.models import Claim, newsroom_today
from claims.templatetags.public import path
from claims.views import frame
from claims.views.base import LISTED_FIELDS, ListedClaim
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
    record = site_record(request)
    due_soon, overdue = due_soon_and_overdue(newsroom_today())
    context = {
        "record_block": record_block(
            request,
            SITE_RECORD,
            record,
            record_heading="The record so far",
            chart_title="Status of all claims over time",
            link_base=f"{path('claim-list')}?",
        ),
        "due_soon": due_soon,
        "overdue": overdue,
        "recently_resolved": recently_resolved(request, LIST_LENGTH),
        "due_soon_days": DUE_SOON_DAYS,
    }
    return frame.render(request, "public/overview.html", context, title=TITLE, nav="overview")


def due_soon_and_overdue(today) -> tuple[list[ListedClaim], list[ListedClaim]]:
    """The open claims due next (soonest first) and the latest overdue ones (latest deadline first).

    Each query's SQL is built and compiled once per day and connection (claims.compiled):
    as ORM queries, the two lists spent more time being built and compiled than PostgreSQL
    spent reading their 12 rows. Not one UNION ALL, as the calendar's: PostgreSQL took
    twice the CPU to plan the union as to plan the two queries.
    """
    due_soon = compiled.rows("overview-due-soon", today, lambda: _due_soon(today))
    overdue = compiled.rows("overview-overdue", today, lambda: _overdue(today))
    return list(map(ListedClaim._make, due_soon)), list(map(ListedClaim._make, overdue))


def _due_soon(today):
    claims = Claim.objects.published().due_within(DUE_SOON_DAYS, today).order_by("deadline_end", "id")
    return claims.values_list(*LISTED_FIELDS)[:LIST_LENGTH]


def _overdue(today):
    claims = Claim.objects.published().overdue(today).order_by("-deadline_end", "-id")
    return claims.values_list(*LISTED_FIELDS)[:LIST_LENGTH]
