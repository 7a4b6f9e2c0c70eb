"""When readers last saw a claim change: for sitemap lastmod and the calendar's DTSTAMP.

``Claim.updated_at`` moves on every save, also when an editor only writes a note or
takes the claim over, so publishing it would tell readers when the desk worked on a
claim. Instead this is the latest history row that changed a public field (the first
row counts, as does publishing), or the latest change to the claim's timeline of
updates. It is one correlated subquery per row inside the query that reads the rows,
so the number of queries stays the same; ``published_at`` stands in should a claim
have no history.
"""

import functools

from django.db import connection
from django.db.models import DateTimeField
from django.db.models.expressions import RawSQL

from claims.models import Claim, Update
from claims.public_cache import PRIVATE_CLAIM_FIELDS


def _public_history_columns() -> list[str]:
    history = Claim.history.model
    tracked = {field.name for field in Claim._meta.concrete_fields} - PRIVATE_CLAIM_FIELDS - {"id"}
    return [field.column for field in history._meta.concrete_fields if field.name in tracked]


# The text depends on the models and the database only; and every ``Model.history`` access
# builds a new manager class (django-simple-history's descriptor), a third of a millisecond.
@functools.cache
def _sql(claim_id: str, published_at: str, vendor: str) -> str:
    columns = _public_history_columns()
    window = "OVER (ORDER BY h.history_date, h.history_id)"
    if vendor == "postgresql":
        row = "ROW(" + ", ".join(f'h."{column}"' for column in columns) + ")"
        differs = f"{row} IS DISTINCT FROM lag({row}) {window}"
    else:
        # SQLite has no row values in window functions: column by column, with its
        # null-safe IS NOT. (The first row differs from nothing: its statement is never null.)
        differs = " OR ".join(f'lag(h."{column}") {window} IS NOT h."{column}"' for column in columns)
    claim_history = Claim.history.model._meta.db_table
    update_history = Update.history.model._meta.db_table
    latest_claim_change = (
        f"(SELECT max(changes.history_date) FROM (SELECT h.history_date, ({differs}) AS differs "
        f'FROM "{claim_history}" h WHERE h."id" = {claim_id}) changes WHERE changes.differs)'
    )
    latest_update_change = f'(SELECT max(u.history_date) FROM "{update_history}" u WHERE u."claim_id" = {claim_id})'
    if vendor == "postgresql":
        latest = f"GREATEST({latest_claim_change}, {latest_update_change})"  # ignores a NULL
    else:
        # SQLite's two-argument max() is NULL if either is: each side falls back on the other.
        latest = (
            f"max(COALESCE({latest_claim_change}, {latest_update_change}), "
            f"COALESCE({latest_update_change}, {latest_claim_change}))"
        )
    return f"COALESCE({latest}, {published_at})"


def claim_last_change() -> RawSQL:
    """For a queryset of claims (at the top level of its query, not inside a subquery)."""
    table = Claim._meta.db_table
    return RawSQL(
        _sql(f'"{table}"."id"', f'"{table}"."published_at"', connection.vendor), (), output_field=DateTimeField()
    )


def claimant_last_change() -> RawSQL:
    """For a queryset of claimants: the latest change of any of their published claims."""
    claims, claimants = Claim._meta.db_table, Claim._meta.get_field("claimant").related_model._meta.db_table
    latest = _sql('c."id"', 'c."published_at"', connection.vendor)
    return RawSQL(
        f'(SELECT max({latest}) FROM "{claims}" c '
        f'WHERE c."claimant_id" = "{claimants}"."id" AND c."published_at" IS NOT NULL)',
        (),
        output_field=DateTimeField(),
    )
