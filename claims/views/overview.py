import operator

from django.db.models import Value

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

    The SQL is built and compiled once per day and connection (claims.compiled): as ORM
    queries, the two lists spent more time being built and compiled than PostgreSQL spent
    reading their 12 rows. Both lists are read together (compiled.union_rows: one UNION ALL
    on PostgreSQL, prepared and so planned once per connection and day), each row tagged
    with its list.
    """
    both = compiled.union_rows("overview-lists", today, lambda: _due_soon(today), lambda: _overdue(today))
    # Each list in its own order again: a UNION ALL promises none (a parallel plan could mix them).
    by_date = operator.itemgetter(4, -2)  # deadline_end, id
    due_soon = sorted((row for row in both if row[-1] == DUE_SOON), key=by_date)
    overdue = sorted((row for row in both if row[-1] == OVERDUE), key=by_date, reverse=True)
    return [ListedClaim._make(row[:-2]) for row in due_soon], [ListedClaim._make(row[:-2]) for row in overdue]


# The tag of each list's rows (the last column), after the id (the one before it).
DUE_SOON, OVERDUE = 0, 1


def _listed(claims, tag: int):
    tagged = claims.annotate(overview_list=Value(tag))
    return tagged.values_list(*LISTED_FIELDS, "id", "overview_list")[:LIST_LENGTH]


def _due_soon(today):
    return _listed(Claim.objects.published().due_within(DUE_SOON_DAYS, today).order_by("deadline_end", "id"), DUE_SOON)


def _overdue(today):
    return _listed(Claim.objects.published().overdue(today).order_by("-deadline_end", "-id"), OVERDUE)
