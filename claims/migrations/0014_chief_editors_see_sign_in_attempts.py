"""Chief editors see failed sign-ins and lockouts in the admin, and can lift a lockout.

django-axes keeps its records in the database (attempts, failures, sign-ins); without
these permissions only a superuser could see them, and `make run` creates none. Deleting
an attempt unlocks that username and address, as `manage.py axes_reset_username` does;
like every delete it needs the chief's second factor when REQUIRE_2FA asks for one.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AXES_PERMISSIONS = ["view_accessattempt", "delete_accessattempt", "view_accessfailurelog", "view_accesslog"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("axes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    chiefs = Group.objects.filter(name="Chief editors").first()
    if chiefs is None:
        return
    permissions = Permission.objects.filter(content_type__app_label="axes", codename__in=AXES_PERMISSIONS)
    missing = set(AXES_PERMISSIONS) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"axes permissions missing: {sorted(missing)}")
    chiefs.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="axes", codename__in=AXES_PERMISSIONS)
    for group in Group.objects.filter(name="Chief editors"):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0013_versions_and_corrections"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
