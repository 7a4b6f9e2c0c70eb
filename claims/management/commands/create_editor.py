import secrets
import shlex
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Create a staff account in the Editors group (and Chief editors with --chief); print its password once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--chief", action="store_true", help="Also a chief editor (may publish and delete).")

    @transaction.atomic
    def handle(self, *args, username, email, chief, **options):
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            self.stdout.write(f"Editor account {username!r} already exists; its password is not shown again.")
            return
        groups = ["Editors", "Chief editors"] if chief else ["Editors"]
        found = list(Group.objects.filter(name__in=groups))
        if len(found) != len(groups):
            raise CommandError(f"The editor roles are missing: run {manage_command('migrate')} first.")
        password = secrets.token_urlsafe(12)
        user = user_model.objects.create_user(username=username, email=email, password=password, is_staff=True)
        user.groups.set(found)
        self.stdout.write(
            self.style.SUCCESS(f"Created editor account {username!r} with password: {password}")
            + f"\n(Shown once. Change it with: {manage_command('changepassword', username)})"
        )
        needs = {"staff": "before using the desk", "chief": "before publishing or deleting" if chief else None}
        if when := needs.get(settings.REQUIRE_2FA):
            self.stdout.write(
                f"REQUIRE_2FA={settings.REQUIRE_2FA}: set up two-factor sign-in with an authenticator app {when}; "
                "the desk offers it at the first sign-in."
            )


def manage_command(*args: str) -> str:
    """A manage.py command line that works where this one was started: the same Python, this project's manage.py.

    "python manage.py" names the system's Python, which has no Django; this names the
    virtualenv's (".venv/bin/python manage.py ..." from the checkout).
    """
    return shlex.join([_shown(Path(sys.executable)), _shown(settings.BASE_DIR / "manage.py"), *args])


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
