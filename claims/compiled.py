"""Querysets compiled to SQL once per database connection, for the fixed queries of hot pages.

The feed's query (a bounded scan of the history with four correlated subqueries) took
longer to build and compile with the ORM than PostgreSQL took to run it: about 5 ms of
Python before the first row, on every request, for SQL whose text never changes. Here a
queryset is built and compiled the first time a connection needs it; later calls run
the same SQL and turn the rows into values with the same compiler, so the database's
converters (SQLite's dates, for one) still apply.

On PostgreSQL a query used a second time on a connection becomes a prepared statement,
with its values written into its text (as Django's client-side binding sends them):
parsing and planning it were most of what PostgreSQL spent on the overview's two short
lists (0.45 of 0.5 ms each) and half of it on the calendar. With the values in the text,
the plan is the one PostgreSQL makes for these very values; a generic plan for unknown
values is what made psycopg's automatic preparation walk the whole register for a rare
search word (docs/public.md). Only the arguments (a slug: an equality on a unique
index, the same plan whatever its value) stay parameters.

Only for querysets whose SQL depends on nothing but ``key`` and whose parameters are
``key`` or ``arguments``: a queryset that reads the request, the time or a setting must
put that in the key. Arguments (a slug, an id) are compared for equality only: ``build``
gets a placeholder for each, and each placeholder must reach the SQL's parameters
unchanged (as ``slug=...`` does; ``icontains`` would wrap it in wildcards, and is
refused). The compiled queries are kept on the connection object (one per thread): for
each name, the KEPT_PER_NAME keys used last.
"""

import datetime
from collections import OrderedDict
from collections.abc import Callable, Hashable

import psycopg
from django.conf import settings
from django.db import NotSupportedError, connections
from django.db.models import QuerySet

_ATTRIBUTE = "_factcheck_compiled_queries"
# Keys kept per name and connection, least recently used dropped first: the list page is
# compiled per combination of filters and page, of which readers use a few over and over.
KEPT_PER_NAME = 32
# SQLSTATE feature_not_supported: what "cached plan must not change result type" comes with.
_PLAN_CHANGED = "0A000"


_TIMESTAMPTZ = psycopg.postgres.types["timestamptz"].oid
# psycopg's own loader of timestamptz text (its C implementation, with psycopg[binary]).
_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(_TIMESTAMPTZ, psycopg.pq.Format.TEXT)


class _PreparingCursor(psycopg.Cursor):
    """A psycopg cursor that prepares what it runs (on the connection, once per statement).

    With ``psycopg_timestamps``, it reads timestamptz values with psycopg's own loader.
    Django registers a loader in Python on its connections, to attach the connection's
    time zone: parsing the 50 timestamps of the feed or of an API page with it cost more
    than a tenth of a millisecond. When that zone is UTC, psycopg's loader gives the same
    values (aware, in ``datetime.UTC``): Django sets the session's TimeZone to it.
    """

    def __init__(self, connection, *, psycopg_timestamps: bool):
        super().__init__(connection)
        if psycopg_timestamps:
            self.adapters.register_loader(_TIMESTAMPTZ, _TIMESTAMPTZ_LOADER)

    def execute(self, query, params=None, **kwargs):
        super().execute(query, params, prepare=True, **kwargs)
        if self._query is None:
            # psycopg keeps the query it sent only when it sent its text, and Django's query
            # log (connection.queries, assertNumQueries) reads it there.
            self._query = self._convert_query(query, params)
        return self


def _written_in(raw_connection, sql: str, params: list, slots: list[int]) -> str:
    """``sql`` with ``params`` written in as literals, except the arguments at ``slots``, left as placeholders.

    The arguments stay parameters of the prepared statement (PostgreSQL binds them), so one
    statement serves every slug; everything else is in the text, so its plan is made for
    those values. A marker stands in for each argument while psycopg writes the literals in.
    """
    markers = {slot: f"factcheck-compiled-argument-{slot}" for slot in slots}
    written = psycopg.ClientCursor(raw_connection).mogrify(sql, [markers.get(i, p) for i, p in enumerate(params)])
    written = written.replace("%", "%%")  # what is left of "%" is literal text, for the placeholder syntax
    for marker in markers.values():
        if written.count(f"'{marker}'") != 1:
            raise ValueError(f"compiled query: argument marker {marker!r} not found once in {written!r}")
        written = written.replace(f"'{marker}'", "%s")
    return written


def _run_prepared(cursor, connection, sql: str, arguments) -> list[tuple]:
    """Run ``sql`` as a prepared statement, in Django's cursor wrapper (``type(cursor)``) for its query log.

    psycopg prepares only while its threshold is set, and counts every query it runs while
    it is: keeping the count of the last 100 queries, text and all. So when it is not set
    (Django's default, None), it is set just for this statement, to one no query reaches
    (only ``prepare=True`` prepares), and put back after it.
    """
    raw = connection.connection
    threshold = raw.prepare_threshold
    if threshold is None:
        raw.prepare_threshold = 2**31 - 1
    try:
        psycopg_timestamps = connection.timezone is datetime.UTC and connection.timezone_name == "UTC"
        with type(cursor)(_PreparingCursor(raw, psycopg_timestamps=psycopg_timestamps), connection) as prepared:
            prepared.execute(sql, arguments or None)
            return prepared.fetchall()
    finally:
        raw.prepare_threshold = threshold


class _Compiled:
    def __init__(self, build: Callable[..., QuerySet], arity: int, connection):
        placeholders = [f"\x00argument {number} of a compiled query\x00" for number in range(arity)]
        query = build(*placeholders).query
        self.compiler = query.get_compiler(connection=connection)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        # Where each argument goes among the parameters.
        self.slots = []
        for placeholder in placeholders:
            slots = [index for index, param in enumerate(self.params) if param == placeholder]
            if len(slots) != 1:
                raise ValueError(f"{placeholder!r} must be one of the query's parameters, unchanged, once")
            self.slots.append(slots[0])
        self.uses = 0
        # The SQL to prepare (see the module's docstring), or None.
        self.prepared_sql = None
        if connection.vendor == "postgresql" and settings.PREPARED_STATEMENTS:
            connection.ensure_connection()
            self.prepared_sql = _written_in(connection.connection, self.sql, self.params, self.slots)
        # The names values() gives its rows, in the order of the SELECT (as Django's ValuesIterable has them).
        if query.selected:
            self.names = list(query.selected)
        else:
            self.names = [*query.extra_select, *query.values_select, *query.annotation_select]


def values(name: str, key: Hashable, build: Callable[..., QuerySet], *arguments, using: str = "default") -> list[dict]:
    """The rows of ``build(*placeholders)`` (a ``values()`` queryset) for ``arguments``, as dictionaries.

    Built and compiled once per ``(name, key)`` and connection.
    """
    compiled, found = _run(name, key, build, arguments, using)
    names = compiled.names
    return [dict(zip(names, row, strict=True)) for row in found]


def rows(name: str, key: Hashable, build: Callable[..., QuerySet], *arguments, using: str = "default") -> list:
    """As values(), each row as a sequence in the order of the SELECT (for a row type such as ListedClaim)."""
    return _run(name, key, build, arguments, using)[1]


def union_rows(name: str, key: Hashable, first: Callable[[], QuerySet], second: Callable[[], QuerySet], *,
               using: str = "default") -> list:  # fmt: skip
    """rows() of two querysets, each with its own order and LIMIT, as one list.

    One UNION ALL where the database takes a LIMIT inside a union (PostgreSQL): one round
    trip, and once prepared, planned once per connection and key. SQLite does not: two
    queries there. A UNION ALL promises no order, so callers sort what they get.
    """
    if connections[using].features.supports_slicing_ordering_in_compound:
        return rows(name, key, lambda: first().union(second(), all=True), using=using)
    return [*rows(f"{name}:first", key, first, using=using), *rows(f"{name}:second", key, second, using=using)]


def _run(name: str, key: Hashable, build: Callable[..., QuerySet], arguments: tuple, using: str):
    connection = connections[using]
    kept = connection.__dict__.setdefault(_ATTRIBUTE, {}).setdefault(name, OrderedDict())
    compiled = kept.get(key)
    if compiled is None:
        compiled = kept[key] = _Compiled(build, len(arguments), connection)
        if len(kept) > KEPT_PER_NAME:
            kept.popitem(last=False)
    else:
        kept.move_to_end(key)
    params = compiled.params
    if arguments:
        params = params.copy()
        for slot, argument in zip(compiled.slots, arguments, strict=True):
            params[slot] = argument
    compiled.uses += 1
    with connection.cursor() as cursor:  # Django's cursor: its health check, error wrapping and query log
        if compiled.prepared_sql is None or compiled.uses == 1:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        else:  # from the second use: a query run once would pay for preparing without any gain
            try:
                fetched = _run_prepared(cursor, connection, compiled.prepared_sql, arguments)
            except NotSupportedError as error:
                # "cached plan must not change result type": another process's migration
                # changed a column the statement reads (while this one is still serving
                # the old code, during a deploy). PostgreSQL refuses the statement from
                # then on; the query runs unprepared on this connection instead.
                if getattr(error.__cause__, "sqlstate", None) != _PLAN_CHANGED or connection.in_atomic_block:
                    raise
                compiled.prepared_sql = None
                cursor.execute(compiled.sql, params)
                fetched = cursor.fetchall()
    return compiled, list(compiled.compiler.results_iter(results=[fetched]))
