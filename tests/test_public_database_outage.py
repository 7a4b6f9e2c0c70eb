"""PostgreSQL out of reach: cached public pages are still served, everything else answers 503 with Retry-After.

The database is cut for real: the test's connection is pointed at a port that refuses
connections (bound, never listening), as a stopped server or a closed firewall would.
Pages cached before the cut come from Redis; the rest get our own 503, a page in the
site's frame (JSON for the API) that needs no database to render.
"""

import json
import logging
import socket

import pytest
from django.db import close_old_connections, connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.db.utils import InterfaceError, OperationalError, ProgrammingError
from django.test import Client

from factcheck.outage import RETRY_AFTER_SECONDS, DatabaseOutageMiddleware, is_outage

pytest_plugins = ["tests.test_public_support"]
pytestmark = pytest.mark.usefixtures("public_cache")

CACHED = ["/", "/claims/", "/claims/alpine-united-states/", "/claimants/alpine/", "/api/claims/"]


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("Cuts a PostgreSQL connection: needs PostgreSQL (DATABASE_URL=postgres://...).")


@pytest.fixture
def database(transactional_db):
    """cut() points the test's connection at a port that refuses it; restore() points it back."""
    needs_postgresql()
    refuser = socket.socket()
    refuser.bind(("127.0.0.1", 0))  # bound and never listening: every connection is refused at once
    saved = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}

    class Database:
        @staticmethod
        def cut():
            connection.close()
            connection.settings_dict.update(HOST="127.0.0.1", PORT=str(refuser.getsockname()[1]))

        @staticmethod
        def restore():
            connection.close()
            connection.settings_dict.update(saved)

    yield Database
    Database.restore()
    refuser.close()


@pytest.fixture
def primed(anonymous, demo, settings):
    """The demo register, with the CACHED pages in Redis (and not in the process's own copy)."""
    settings.PUBLIC_CACHE_LOCAL_SECONDS = 0
    pages = {}
    for url in CACHED:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content
    return pages


def get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    close_old_connections()  # as the server does at the end of each request
    return response


def assert_unavailable(response):
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"


def test_cached_pages_are_served_and_the_others_answer_503(anonymous, primed, database, caplog):
    database.cut()
    for url, content in primed.items():
        response = get(anonymous, url)
        assert response.status_code == 200, url
        assert response.content == content, url
    for url in ["/deadlines/", "/claims/?status=missed", "/claims/nissan-a-segment-ev-europe-2026/"]:
        with caplog.at_level(logging.WARNING):
            response = get(anonymous, url)
        assert_unavailable(response)
        page = response.content.decode()
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert "Briefly unavailable" in page and f"try again in {RETRY_AFTER_SECONDS} seconds" in page
        assert 'class="site-header"' in page and "public/site.css" in page  # the site's own frame
        assert "Content-Security-Policy" in response  # the site's headers too
    # One line per request, with the cause and no traceback; not Django's own "Service Unavailable" as well.
    lines = [record for record in caplog.records if record.name in ("factcheck.outage", "django.request")]
    assert [record.name for record in lines] == ["factcheck.outage"] * 3
    assert all("Connection refused" in record.getMessage() and not record.exc_info for record in lines)


def test_the_api_answers_503_in_json(anonymous, primed, database):
    database.cut()
    assert get(anonymous, "/api/claims/").status_code == 200  # cached
    for url in ["/api/claims/?status=missed", "/api/claims/alpine-united-states/"]:
        response = get(anonymous, url)
        assert_unavailable(response)
        assert response["Content-Type"] == "application/json"
        assert "cannot be reached" in json.loads(response.content)["detail"]


def test_editors_and_the_admin_get_503(client, primed, database, chiara):
    client.defaults["HTTP_HOST"] = "127.0.0.1"
    # The answer a server sends: a middleware that reads the session before the view meets
    # the outage there, and the site's handler500 answers 503 (the test client would re-raise it).
    client.raise_request_exception = False
    client.force_login(chiara)
    database.cut()
    for url in ["/claims/", "/admin/", "/admin/claims/claim/", "/admin/intake/"]:
        assert_unavailable(get(client, url))  # an editor's session is read from the database
    stranger = Client(HTTP_HOST="127.0.0.1")
    assert get(stranger, "/admin/login/").status_code == 200  # the form needs no database
    response = stranger.post("/admin/login/", {"username": "chiara", "password": "correct horse battery"})
    close_old_connections()
    assert_unavailable(response)


def test_the_site_answers_again_when_the_database_is_back(anonymous, primed, database):
    database.cut()
    assert_unavailable(get(anonymous, "/deadlines/"))
    database.restore()
    response = get(anonymous, "/deadlines/")
    assert response.status_code == 200 and "Retry-After" not in response


# --- which database errors are an outage -------------------------------------------------


def failing(run) -> Exception:
    try:
        run()
    except Exception as error:  # the error under test
        return error
    raise AssertionError("expected a database error")


def other_connection(**settings):
    return type(connections["default"])({**connection.settings_dict, **settings})


def test_a_refused_or_lost_connection_is_an_outage(transactional_db):
    needs_postgresql()
    with socket.socket() as refuser:
        refuser.bind(("127.0.0.1", 0))
        refused = other_connection(HOST="127.0.0.1", PORT=str(refuser.getsockname()[1]))
        error = failing(refused.ensure_connection)
    assert isinstance(error, OperationalError) and is_outage(error)

    lost = other_connection(CONN_HEALTH_CHECKS=False)  # the query itself meets the loss
    with lost.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])  # an administrator, or a server shutting down
    try:
        error = failing(lambda: lost.cursor().execute("SELECT 1"))
        assert isinstance(error, OperationalError | InterfaceError) and is_outage(error)
    finally:
        lost.close()


def test_errors_of_a_query_are_not_an_outage(transactional_db):
    needs_postgresql()
    with connection.cursor() as cursor:
        assert not is_outage(failing(lambda: cursor.execute("SELECT * FROM no_such_table")))
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 1")
        try:
            canceled = failing(lambda: cursor.execute("SELECT pg_sleep(0.1)"))
        finally:
            cursor.execute("RESET statement_timeout")
    assert isinstance(canceled, OperationalError) and not is_outage(canceled)
    assert DatabaseOutageMiddleware(lambda request: None).process_exception(None, canceled) is None
    assert not is_outage(ProgrammingError("relation does not exist")) and not is_outage(ValueError())


def sqlite(path) -> DatabaseWrapper:
    return DatabaseWrapper(
        {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": {}, "TIME_ZONE": None,
         "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False}
    )  # fmt: skip


@pytest.mark.django_db
def test_sqlite_that_cannot_open_its_file_is_an_outage_and_a_missing_table_is_not(tmp_path):
    error = failing(sqlite(tmp_path / "gone" / "db.sqlite3").ensure_connection)
    assert isinstance(error, OperationalError) and is_outage(error)

    working = sqlite(tmp_path / "db.sqlite3")
    try:
        error = failing(lambda: working.cursor().execute("SELECT * FROM claims_claim"))
        assert isinstance(error, OperationalError) and not is_outage(error)  # a migration not run: a bug
    finally:
        working.close()
