"""When the database cannot be reached: 503 with Retry-After and a short page of our own, never a 500.

Public pages in the page cache (claims.public_cache) are served from Redis without
touching the database: an anonymous reader's hit reads neither the session nor the user,
and Django's per-request connection upkeep only closes a connection that failed, it does
not open one. So while PostgreSQL is down (stopped, restarting, out of connections, the
network to it cut) those pages keep being served, and everything else (pages not
cached, editors, the admin, the API) is answered here with 503 Service Unavailable, a
``Retry-After`` and a page that needs nothing but settings and templates: the site's
frame for pages and the admin, a JSON body for the API. Clients, crawlers and monitors
then know the outage is temporary, and nobody gets a traceback-sized 500.

Only errors that say the database is out of reach count (``is_outage``): a failed
connection, a connection lost or closed, a server shutting down or refusing new
connections. Other database errors, such as a missing table (a migration not run, which
SQLite reports as an OperationalError too), a deadlock or a cancelled statement, are
bugs or belong to the code that asked: they stay 500s, with their traceback in the log.

The middleware acts on exceptions of views (and of the templates they render), with one
line in the log; ``server_error`` (the site's handler500) catches the same outage
anywhere else Django turns an exception into a 500, such as a middleware that reads the
user or the session before the view (two-factor sign-in does).
Stale pages (of an older generation) are not served instead: one of them may show a
claim that was taken down just before the outage.
"""

import json
import logging
import sqlite3
import sys

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait before trying again: a restart or a failover takes
# about this long, and a monitor retrying sooner would only add load to the recovery.
RETRY_AFTER_SECONDS = 30
# SQLSTATE classes and codes of a server that cannot serve this connection: connection
# exceptions (08), insufficient resources such as too many connections (53), and an
# operator or crash shutting it down, or a server still starting (57P01-57P03).
_OUTAGE_SQLSTATES = ("08", "53", "57P01", "57P02", "57P03")
# What SQLite says when its file cannot be opened or used (a missing volume, a full or failed disk).
_SQLITE_OUTAGES = ("unable to open database file", "disk i/o error", "database disk image is malformed")


def is_outage(error: BaseException) -> bool:
    """Whether a database error says the database is out of reach (as opposed to a bug in a query)."""
    if isinstance(error, InterfaceError):
        return True  # the connection is closed or unusable
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, psycopg.Error):
        # No SQLSTATE: the client itself failed (refused, timed out, connection lost mid-query).
        return cause.sqlstate is None or cause.sqlstate.startswith(_OUTAGE_SQLSTATES)
    if isinstance(cause, sqlite3.Error):
        return str(cause).lower().startswith(_SQLITE_OUTAGES)
    return False


def unavailable_response(request) -> HttpResponse:
    """503 with Retry-After, as JSON for the API and as a page of the site for the rest; reads no database."""
    if request.path_info.startswith("/api/"):
        body = json.dumps(
            {"detail": f"The claim register cannot be reached right now. Try again in {RETRY_AFTER_SECONDS} seconds."}
        )
        response = HttpResponse(body, status=503, content_type="application/json")
    else:
        context = {
            "NEWSROOM_NAME": settings.NEWSROOM_NAME,
            "NEWSROOM_URL": settings.NEWSROOM_URL,
            "retry_after": RETRY_AFTER_SECONDS,
        }
        response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"  # no proxy or browser keeps the outage
    return response


class DatabaseOutageMiddleware:
    """Turns a view's database outage into unavailable_response(); any other exception goes on to Django."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_outage(exception):
            return None
        # One line with the cause, no traceback (during an outage every request logs one), in
        # place of Django's own line for a 5xx ("Service Unavailable: /path"), which has no cause.
        logger.error("Database out of reach: %s %s answered 503 (%s)", request.method, request.path, exception)
        response = unavailable_response(request)
        response._has_been_logged = True  # django.utils.log.log_response's own mark
        return response


def server_error(request):
    """handler500: the outage's 503 when the error being handled is one, Django's 500 page otherwise.

    Django calls it while handling the exception, so ``sys.exc_info()`` is that exception,
    wherever it was raised (a middleware included, which process_exception never sees).
    """
    error = sys.exc_info()[1]
    if error is not None and is_outage(error):
        return unavailable_response(request)
    return defaults.server_error(request)
