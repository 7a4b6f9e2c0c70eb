"""Readers in the loop (claims/readers/): tips, subscribers, the changes they are told of, their outbox.

Editors work the reader tips inbox (view and change tips); chief editors also see the
subscribers and erase one on request (the delete permission of readers is the erasure's).
"""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

ROLE_PERMISSIONS = {
    "Editors": ["view_readertip", "change_readertip"],
    "Chief editors": ["view_readertip", "change_readertip", "view_reader", "delete_reader"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("claims")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        permissions = Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for role {name}: {sorted(missing)}")
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        permissions = Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        for group in Group.objects.filter(name=name):
            group.permissions.remove(*permissions)


class Migration(migrations.Migration):

    dependencies = [
        ('claims', '0016_intake_confirmation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Reader',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ReaderEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('published', 'Published'), ('status', 'Status changed'), ('correction', 'Corrected'), ('overdue', 'Deadline passed')], max_length=12)),
                ('history_id', models.BigIntegerField(blank=True, null=True, unique=True)),
                ('status', models.CharField(blank=True, choices=[('pending', 'Not yet rated'), ('in_progress', 'In the works'), ('stalled', 'Stalled'), ('fulfilled', 'Fulfilled'), ('fulfilled_late', 'Fulfilled late'), ('partly_fulfilled', 'Partly fulfilled'), ('missed', 'Missed'), ('withdrawn', 'Withdrawn'), ('unverifiable', 'Unverifiable')], max_length=20)),
                ('previous_status', models.CharField(blank=True, choices=[('pending', 'Not yet rated'), ('in_progress', 'In the works'), ('stalled', 'Stalled'), ('fulfilled', 'Fulfilled'), ('fulfilled_late', 'Fulfilled late'), ('partly_fulfilled', 'Partly fulfilled'), ('missed', 'Missed'), ('withdrawn', 'Withdrawn'), ('unverifiable', 'Unverifiable')], max_length=20)),
                ('correction', models.TextField(blank=True)),
                ('deadline_end', models.DateField(blank=True, null=True)),
                ('happened_at', models.DateTimeField()),
                ('fanned_out_at', models.DateTimeField(blank=True, null=True)),
                ('claim', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='claims.claim')),
            ],
            options={
                'ordering': ['happened_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ReaderTip',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('statement', models.TextField(help_text='What was claimed, as the reader wrote it.')),
                ('claimant', models.CharField(help_text='Who made the claim, as the reader wrote it.', max_length=200)),
                ('url', models.URLField(blank=True, help_text='Where it was claimed.', max_length=500)),
                ('email_confirmed_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('state', models.CharField(choices=[('new', 'New'), ('accepted', 'Taken in (claims made from it)'), ('duplicate', 'Duplicate of a claim'), ('dismissed', 'Dismissed')], default='new', max_length=10)),
                ('handled_at', models.DateTimeField(blank=True, null=True)),
                ('claims', models.ManyToManyField(blank=True, related_name='reader_tips', to='claims.claim')),
                ('duplicate_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='claims.claim')),
                ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('reader', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='tips', to='claims.reader')),
            ],
            options={
                'verbose_name': 'reader tip',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Subscription',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('target', models.CharField(choices=[('claim', 'A claim'), ('claimant', 'A claimant'), ('everything', 'Everything')], max_length=10)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                ('claim', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='claims.claim')),
                ('claimant', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='claims.claimant')),
                ('reader', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='subscriptions', to='claims.reader')),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='ReaderMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('confirm_follow', 'Confirm a follow'), ('confirm_tip', "Confirm a tipster's address"), ('change', 'A change, in a digest'), ('tip_published', 'A claim from their tip is published')], max_length=14)),
                ('due_at', models.DateTimeField()),
                ('claimed_at', models.DateTimeField(blank=True, null=True)),
                ('claim_token', models.CharField(blank=True, max_length=32)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('retry_after', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('event', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='claims.readerevent')),
                ('reader', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='claims.reader')),
                ('tip', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='claims.readertip')),
                ('subscription', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='claims.subscription')),
            ],
            options={
                'ordering': ['due_at', 'id'],
            },
        ),
        migrations.AddIndex(
            model_name='readerevent',
            index=models.Index(condition=models.Q(('fanned_out_at__isnull', True)), fields=['id'], name='claims_readerevent_unfanned'),
        ),
        migrations.AddConstraint(
            model_name='readerevent',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'overdue')), fields=('claim', 'deadline_end'), name='claims_readerevent_overdue_once'),
        ),
        migrations.AddIndex(
            model_name='readertip',
            index=models.Index(fields=['state', '-created_at'], name='claims_readertip_inbox'),
        ),
        migrations.AddIndex(
            model_name='subscription',
            index=models.Index(condition=models.Q(('confirmed_at__isnull', False)), fields=['claim'], name='claims_subscr_claim_conf'),
        ),
        migrations.AddIndex(
            model_name='subscription',
            index=models.Index(condition=models.Q(('confirmed_at__isnull', False)), fields=['claimant'], name='claims_subscr_claimant_conf'),
        ),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.UniqueConstraint(condition=models.Q(('claim__isnull', False)), fields=('reader', 'claim'), name='claims_subscription_one_per_claim'),
        ),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.UniqueConstraint(condition=models.Q(('claimant__isnull', False)), fields=('reader', 'claimant'), name='claims_subscription_one_per_claimant'),
        ),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.UniqueConstraint(condition=models.Q(('target', 'everything')), fields=('reader',), name='claims_subscription_one_to_everything'),
        ),
        migrations.AddConstraint(
            model_name='subscription',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('claim__isnull', False), ('claimant__isnull', True), ('target', 'claim')), models.Q(('claim__isnull', True), ('claimant__isnull', False), ('target', 'claimant')), models.Q(('claim__isnull', True), ('claimant__isnull', True), ('target', 'everything')), _connector='OR'), name='claims_subscription_target_matches'),
        ),
        migrations.AddIndex(
            model_name='readermessage',
            index=models.Index(condition=models.Q(('cancelled_at__isnull', True), ('sent_at__isnull', True)), fields=['due_at'], name='claims_readermessage_pending'),
        ),
        migrations.AddConstraint(
            model_name='readermessage',
            constraint=models.UniqueConstraint(condition=models.Q(('event__isnull', False)), fields=('reader', 'event'), name='claims_readermessage_once_per_event'),
        ),
        migrations.AddConstraint(
            model_name='readermessage',
            constraint=models.UniqueConstraint(condition=models.Q(('cancelled_at__isnull', True), ('kind', 'tip_published')), fields=('tip',), name='claims_readermessage_tip_told_once'),
        ),
        migrations.RunPython(grant, revoke),
    ]
