"""Create the desk's two roles.

Editors research and write claims; chief editors also publish and delete. Permissions
are created here (they normally appear only after all migrations ran) so that the
groups are complete on a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TRACKED = ["claim", "claimant", "source", "update", "appearance"]

EDITOR_PERMISSIONS = [f"{action}_{model}" for model in TRACKED for action in ("add", "change", "view")] + [
    "view_reminder"
]
CHIEF_PERMISSIONS = EDITOR_PERMISSIONS + [f"delete_{model}" for model in TRACKED] + ["publish_claim"]

ROLES = {"Editors": EDITOR_PERMISSIONS, "Chief editors": CHIEF_PERMISSIONS}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for role {name}: {sorted(missing)}")
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
