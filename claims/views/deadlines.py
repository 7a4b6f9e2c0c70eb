import itertools

from django.shortcuts import render

from claims.models import Claim, newsroom_today
from claims.views.base import BadPage, page_of

PER_PAGE = 50


def deadlines(request):
    """Open claims by the month of their deadline, soonest first."""
    today = newsroom_today()
    upcoming = Claim.objects.published().open().filter(deadline_end__gte=today).order_by("deadline_end", "id")
    try:
        page = page_of(upcoming, request.GET.get("page"), PER_PAGE)
    except BadPage as error:
        return render(request, "public/deadlines.html", {"errors": [str(error)], "nav": "deadlines"}, status=400)
    months = [
        (month, list(claims))
        for month, claims in itertools.groupby(page.items, key=lambda c: c.deadline_end.replace(day=1))
    ]
    return render(request, "public/deadlines.html", {"page": page, "months": months, "errors": [], "nav": "deadlines"})
