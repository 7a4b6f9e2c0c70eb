import itertools

from claims.models import Claim, newsroom_today
from claims.views import frame
from claims.views.base import BadPage, page_of

PER_PAGE = 50
TITLE = "Upcoming deadlines"


def deadlines(request):
    """Open claims by the month of their deadline, soonest first."""
    today = newsroom_today()
    upcoming = Claim.objects.published().open().filter(deadline_end__gte=today).order_by("deadline_end", "id")
    try:
        page = page_of(upcoming, request.GET.get("page"), PER_PAGE)
    except BadPage as error:
        context = {"errors": [str(error)]}
        return frame.render(request, "public/deadlines.html", context, title=TITLE, nav="deadlines", status=400)
    months = [
        (month, list(claims))
        for month, claims in itertools.groupby(page.items, key=lambda c: c.deadline_end.replace(day=1))
    ]
    context = {"page": page, "months": months, "errors": []}
    return frame.render(request, "public/deadlines.html", context, title=TITLE, nav="deadlines")
