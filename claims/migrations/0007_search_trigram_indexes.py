"""Trigram indexes for searching claims by any word (PostgreSQL only).

The public list, the API and the admin search claims with ``icontains`` on the statement,
the quote and the claimant's name, and the admin also on the source's title
(``Claim.objects.mentioning``). A B-tree index cannot
serve ``LIKE '%word%'``; a GIN index of trigrams can, so a search reads the matching rows
instead of the whole table (four seconds at a million claims for a word nobody wrote).
The indexed expressions are the ones Django's ``icontains`` compiles to on PostgreSQL:
``UPPER(column::text)``.

SQLite, the embedded default, has no such index and keeps scanning: fine at its scale.
If the database user may not create the extension (pg_trgm is a trusted extension from
PostgreSQL 13, so a database owner may), the migration says so and goes on without the
indexes: search stays correct, only slower. Once the extension is installed, running
this migration again (``migrate claims 0006`` then ``migrate``) builds them.

The indexes are built CONCURRENTLY, outside a transaction: on a large register a plain
CREATE INDEX would block every write to the claims for as long as it takes (23 s at a
million claims here).
"""

import logging

from django.db import migrations, transaction
from django.db.utils import DatabaseError

logger = logging.getLogger(__name__)

# (index name, table, indexed expression)
TRIGRAM_INDEXES = [
    ("claims_claim_statement_trgm", "claims_claim", 'UPPER("statement")'),
    ("claims_claim_quote_trgm", "claims_claim", 'UPPER("quote")'),
    ("claims_claimant_name_trgm", "claims_claimant", 'UPPER("name"::text)'),
    ("claims_source_title_trgm", "claims_source", 'UPPER("title"::text)'),  # the admin's search
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        logger.warning(
            "pg_trgm is not available (%s); claim search works without its indexes. To build them once it is "
            "installed: manage.py migrate claims 0006 && manage.py migrate",
            error,
        )
        return
    for name, table, expression in TRIGRAM_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{table}" USING gin ({expression} gin_trgm_ops)'
        )
    # Statistics of the indexed expressions: without them the planner guesses how many rows
    # a word matches, and walked a million claims for a word nobody wrote.
    for table in sorted({table for _name, table, _expression in TRIGRAM_INDEXES}):
        schema_editor.execute(f'ANALYZE "{table}"')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("claims", "0006_recently_resolved_index")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
