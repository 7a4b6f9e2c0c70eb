"""The PostgreSQL health check (factcheck/postgresql): no round trip while the server is silent.

Rita reads the public site while the server ends her worker's connection (a restart, an
administrator's pg_terminate_backend): her next page must still be served, on a new
connection. While nothing ends it, the check must not send a query.
"""

import psycopg
import pytest
from django.conf import settings
from django.db import close_old_connections, connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the check is PostgreSQL's backend"),
    pytest.mark.django_db(transaction=True),  # autocommit, as a request runs: the check skips atomic blocks
]


def other_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


def last_query_of(backend_pid: int) -> str:
    with other_connection() as other:
        return other.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [backend_pid]).fetchone()[0]


def test_the_production_settings_use_this_backend():
    assert settings.DATABASES["default"]["ENGINE"] == "factcheck.postgresql"
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_a_silent_connection_is_usable_without_a_query():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'rita reads the overview'")
    pid = connection.connection.info.backend_pid
    assert connection.is_usable()
    assert last_query_of(pid) == "SELECT 'rita reads the overview'"  # no SELECT 1 was sent


def test_a_connection_the_server_ended_is_not_usable_and_the_next_request_reconnects(client):
    assert client.get("/healthz").status_code == 200
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with other_connection() as other:
        # Returns once the backend has exited (or after 5 s, false): its goodbye has been sent.
        assert other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()[0] is True
    assert not connection.is_usable()

    close_old_connections()  # what the start of a request does (Django's test client leaves it out)
    response = client.get("/claims/")  # its first query: the check closes the dead connection, and reconnects
    assert response.status_code == 200
    assert connection.connection.info.backend_pid != pid
