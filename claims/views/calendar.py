from django.http import HttpResponse

from claims.calendar import calendar_claims, deadlines_calendar


def deadlines_ics(request):
    """Subscribable calendar of open claims' deadlines (see claims/calendar.py)."""
    return HttpResponse(deadlines_calendar(calendar_claims()), content_type="text/calendar; charset=utf-8")
