"""Claimant.public_changed_at: when the claimant's public page last changed.

Filled for existing claimants with the latest change of their claims (migration 0008's
column), or the claimant's own first history row when it has no claims.
"""

from django.db import migrations, models


def fill(apps, schema_editor):
    claimant = apps.get_model("claims", "Claimant")
    claim = apps.get_model("claims", "Claim")
    history = apps.get_model("claims", "HistoricalClaimant")
    claimants, claims, claimant_history = claimant._meta.db_table, claim._meta.db_table, history._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{claimants}" SET "public_changed_at" = COALESCE('
            f'(SELECT max(c."public_changed_at") FROM "{claims}" c WHERE c."claimant_id" = "{claimants}"."id"), '
            f'(SELECT max(h."history_date") FROM "{claimant_history}" h WHERE h."id" = "{claimants}"."id")) '
            f'WHERE "public_changed_at" IS NULL'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0008_claim_public_changed_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="claimant",
            name="public_changed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
