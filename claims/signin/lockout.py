"""Lockout after repeated failed sign-ins (django-axes, database handler).

axes counts the failures of one username from one address (AXES_LOCKOUT_PARAMETERS) and
refuses that pair once it reached LOGIN_FAILURE_LIMIT, until LOGIN_COOLOFF_MINUTES have
passed since its last failure; a refused attempt does not count as a failure, so the time
on the page holds (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off). The refusal
happens in axes' authentication backend, before Django's backend would hash the password.

The page does not say whether the username exists: axes counts names that match no account
like any other, and nothing on the page depends on the account. Attempts, failures and
sign-ins are in the admin under "Axes"; `manage.py axes_reset_username NAME` unlocks.
"""

import datetime
import math

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone


def failure_limit(request=None, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: read at each attempt, so LOGIN_FAILURE_LIMIT is the only source."""
    return settings.LOGIN_FAILURE_LIMIT


def cool_off(request=None) -> datetime.timedelta:
    """AXES_COOLOFF_TIME."""
    return datetime.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


def lockout_ends(username: str | None, ip_address: str | None, now: datetime.datetime) -> datetime.datetime:
    """When the pair may try again: its last failure within the cool-off, plus the cool-off."""
    last = AccessAttempt.objects.filter(
        username=username, ip_address=ip_address, attempt_time__gte=now - cool_off()
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or now) + cool_off()


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the page for a refused sign-in, status 429."""
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    ends = lockout_ends(get_client_username(request, credentials), getattr(request, "axes_ip_address", None), now)
    seconds = max(1, math.ceil((ends - now).total_seconds()))
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed sign-ins",
        "ends": timezone.localtime(ends),
        "minutes": math.ceil(seconds / 60),
        "time_zone": settings.TIME_ZONE,
    }
    response = render(request, "admin/signin/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response
