"""Django's PostgreSQL backend, with a health check that costs no round trip while the server is silent.

With CONN_HEALTH_CHECKS, Django checks a persistent connection before the first query of
each request by sending ``SELECT 1`` and waiting for the answer: a second query on every
page, a tenth of a millisecond of two processes' time on loopback and a network round
trip where PostgreSQL runs on another machine. On an idle connection PostgreSQL sends
nothing unless it is ending it (a restart, ``pg_terminate_backend``, an idle timeout):
it then sends its error and closes the socket, and the socket becomes readable. So the
check here first asks the kernel, without waiting, whether anything arrived. Nothing:
the connection is as the last request left it. Something: Django's own check decides,
with its ``SELECT 1`` (the arrival may be a harmless notice).

A connection that vanished without a word (a dropped network path) fools both checks
alike: ``SELECT 1`` would wait for TCP to give up too.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is None or self.connection.closed or self.connection.broken:
            return False
        try:
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):  # the socket is gone
            return False
        return not readable or super().is_usable()
