"""Versions on every tracked row, and corrections on Claim's history rows.

- ``version`` (claims.versions): 1 for every existing row and history row, and the database's
  default for rows written in SQL (the benchmark's generator). A column with a constant
  default is added without rewriting the table on PostgreSQL 11 and later.
- ``correction`` on Claim's history rows: a correction's public explanation, and its own
  kind of public event (claims.history.FeedEntry.CORRECTION), with a small partial index
  for the corrections log. No existing row is a correction, so no row is marked again.
- ``feed_entry`` also marks a claim taken off the site (``unpublished``), for the copies
  partners keep; rows written before are not marked again (nobody holds their copies yet).
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0012_published_newest_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='appearance',
            name='version',
            field=models.IntegerField(db_default=1, default=1, editable=False, help_text='One more on each write.'),
        ),
        migrations.AddField(
            model_name='claim',
            name='version',
            field=models.IntegerField(db_default=1, default=1, editable=False, help_text='One more on each write.'),
        ),
        migrations.AddField(
            model_name='claimant',
            name='version',
            field=models.IntegerField(db_default=1, default=1, editable=False, help_text='One more on each write.'),
        ),
        migrations.AddField(
            model_name='historicalappearance',
            name='version',
            field=models.IntegerField(db_default=1, default=1, editable=False, help_text='One more on each write.'),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='correction',
            field=models.TextField(blank=True, default=''),
        ),
        migrations.AddField(
            model_name='historicalclaim',
            name='version',
            field=models.IntegerField(db_default=1, default=1, editable=False, help_text='One more on each write.'),
        ),
        migrations.AddField(
            model_name='historicalclaimant',
            name='version',
            field=models.IntegerField(db_default=1, default=1, editable=False, help_text='One more on each write.'),
        ),
        migrations.AddField(
            model_name='historicalsource',
            name='version',
            field=models.IntegerField(db_default=1, default=1, editable=False, help_text='One more on each write.'),
        ),
        migrations.AddField(
            model_name='historicalupdate',
            name='version',
            field=models.IntegerField(db_default=1, default=1, editable=False, help_text='One more on each write.'),
        ),
        migrations.AddField(
            model_name='source',
            name='version',
            field=models.IntegerField(db_default=1, default=1, editable=False, help_text='One more on each write.'),
        ),
        migrations.AddField(
            model_name='update',
            name='version',
            field=models.IntegerField(db_default=1, default=1, editable=False, help_text='One more on each write.'),
        ),
        migrations.AlterField(
            model_name='historicalclaim',
            name='feed_entry',
            field=models.CharField(blank=True, choices=[('', 'Not an entry'), ('published', 'Published (first, or again after being unpublished)'), ('status', 'Status changed while published'), ('correction', 'Corrected while published'), ('unpublished', 'Taken off the site (unpublished, or deleted while published)')], default='', max_length=12),
        ),
        migrations.AddIndex(
            model_name='historicalclaim',
            index=models.Index(models.OrderBy(models.F('history_date'), descending=True), models.OrderBy(models.F('history_id'), descending=True), condition=models.Q(('correction', ''), _negated=True), name='claims_hclaim_corrections'),
        ),
    ]
