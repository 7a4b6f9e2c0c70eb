"""Feed entries marked on Claim's history rows, so the feed reads them from one index.

Until now the feed compared each of the 200 newest history rows of published claims
with the row before it, in correlated subqueries (about 6 ms of PostgreSQL's time on
every request at a million claims), and could still come up short when editors made many
edits that changed no status. From here on claims.history.mark_public_event decides when a
row is written. This migration decides for existing rows, by the same rule, with a window
over each claim's rows in the order they were written: the first publication (or a
return after being unpublished) and every change of status while published.

The fill runs in batches of claims, each committed on its own (the migration is not
atomic), so editors' writes wait for one batch at most. Interrupted, it can run again:
each batch computes the same marks. The index is built after the fill.
"""

from django.db import migrations, models

BATCH = 50_000


def fill(apps, schema_editor):
    history = apps.get_model("claims", "HistoricalClaim")._meta.db_table
    marks = f"""
        SELECT history_id, entry, CASE WHEN entry = 'status' THEN previous_status ELSE '' END AS previous_status
        FROM (
            SELECT history_id,
                   lag(status) OVER w AS previous_status,
                   CASE
                       WHEN published_at IS NULL OR history_type = '-' THEN ''
                       WHEN lag(history_id) OVER w IS NULL OR lag(published_at) OVER w IS NULL THEN 'published'
                       WHEN lag(status) OVER w <> status THEN 'status'
                       ELSE ''
                   END AS entry
            FROM "{history}"
            WHERE "id" >= %s AND "id" < %s
            WINDOW w AS (PARTITION BY "id" ORDER BY history_id)
        ) rows
        WHERE entry <> ''
    """
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f'SELECT min("id"), max("id") FROM "{history}"')
        low, high = cursor.fetchone()
        if low is None:
            return
        for start in range(low, high + 1, BATCH):
            cursor.execute(
                f'UPDATE "{history}" SET feed_entry = marks.entry, feed_previous_status = marks.previous_status '
                f'FROM ({marks}) marks WHERE "{history}".history_id = marks.history_id',
                [start, start + BATCH],
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("claims", "0010_claimant_name_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalclaim",
            name="feed_entry",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not an entry"),
                    ("published", "Published (first, or again after being unpublished)"),
                    ("status", "Status changed while published"),
                ],
                default="",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="feed_previous_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("pending", "Not yet rated"),
                    ("in_progress", "In the works"),
                    ("stalled", "Stalled"),
                    ("fulfilled", "Fulfilled"),
                    ("fulfilled_late", "Fulfilled late"),
                    ("partly_fulfilled", "Partly fulfilled"),
                    ("missed", "Missed"),
                    ("withdrawn", "Withdrawn"),
                    ("unverifiable", "Unverifiable"),
                ],
                default="",
                max_length=20,
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="historicalclaim",
            index=models.Index(
                models.OrderBy(models.F("history_date"), descending=True),
                models.OrderBy(models.F("history_id"), descending=True),
                condition=models.Q(("feed_entry", ""), _negated=True),
                name="claims_hclaim_feed_entries",
            ),
        ),
    ]
