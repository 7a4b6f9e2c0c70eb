"""Claim.public_changed_at: when readers last saw a claim change, kept on the row.

Until now the sitemap and the calendar worked it out per claim from the history, with
correlated subqueries (7 of the calendar's 10 ms of SQL at a million claims, and the
sitemap read the history of every published claim). From here on claims.public_cache
sets it on every public write. This migration fills it for existing claims from their
history: the latest history row that changed a public field (the first row counts), or
the latest change to the claim's updates or appearances; the publication date (or
creation) where there is no history.

The fill runs in batches, each committed on its own (the migration is not atomic): a
single UPDATE over a large register would lock every claim against editors' writes for
as long as it takes. Interrupted, it can run again: it fills only empty rows.
"""

from django.db import migrations, models

BATCH = 20_000
# Claim fields readers never see: their changes do not date a claim.
PRIVATE_FIELDS = {"id", "notes", "assignee", "updated_at", "public_changed_at"}


def latest_public_change_sql(apps, vendor: str) -> str:
    """SQL for the latest public change of the claim ``c``: a column expression."""
    history = apps.get_model("claims", "HistoricalClaim")
    claim = apps.get_model("claims", "Claim")
    tracked = {field.name for field in claim._meta.concrete_fields} - PRIVATE_FIELDS
    columns = [field.column for field in history._meta.concrete_fields if field.name in tracked]
    window = "OVER (ORDER BY h.history_date, h.history_id)"
    if vendor == "postgresql":
        row = "ROW(" + ", ".join(f'h."{column}"' for column in columns) + ")"
        differs = f"{row} IS DISTINCT FROM lag({row}) {window}"
    else:
        # No row values in SQLite's window functions: column by column, with its null-safe IS NOT.
        differs = " OR ".join(f'lag(h."{column}") {window} IS NOT h."{column}"' for column in columns)
    claim_history = history._meta.db_table
    candidates = [
        f"(SELECT max(changes.history_date) FROM (SELECT h.history_date, ({differs}) AS differs "
        f'FROM "{claim_history}" h WHERE h."id" = c."id") changes WHERE changes.differs)',
    ]
    for name in ("HistoricalUpdate", "HistoricalAppearance"):
        table = apps.get_model("claims", name)._meta.db_table
        candidates.append(f'(SELECT max(r.history_date) FROM "{table}" r WHERE r."claim_id" = c."id")')
    # max() over a UNION ALL skips NULLs alike on PostgreSQL and SQLite (GREATEST and a
    # many-argument max() do not).
    latest = "(SELECT max(t.changed) FROM (" + " UNION ALL ".join(f"SELECT {c} AS changed" for c in candidates) + ") t)"
    return f'COALESCE({latest}, c."published_at", c."created_at")'


def fill(apps, schema_editor):
    claim = apps.get_model("claims", "Claim")
    connection = schema_editor.connection
    table = claim._meta.db_table
    latest = latest_public_change_sql(apps, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT min("id"), max("id") FROM "{table}" WHERE "public_changed_at" IS NULL')
        low, high = cursor.fetchone()
        if low is None:
            return
        for start in range(low, high + 1, BATCH):
            cursor.execute(
                f'UPDATE "{table}" AS c SET "public_changed_at" = {latest} '
                f'WHERE c."id" >= %s AND c."id" < %s AND c."public_changed_at" IS NULL',
                [start, start + BATCH],
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("claims", "0007_search_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="public_changed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
