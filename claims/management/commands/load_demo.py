from django.core.management.base import BaseCommand, CommandError

from claims.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo claims. Idempotent: claims already present are left as they are."

    def add_arguments(self, parser):
        parser.add_argument("--assign-to", metavar="USERNAME", help="Assign the new demo claims to this user.")

    def handle(self, *args, assign_to=None, **options):
        from django.contrib.auth import get_user_model

        if assign_to and not get_user_model().objects.filter(username=assign_to).exists():
            raise CommandError(f"No user named {assign_to!r}; create it first (manage.py create_editor {assign_to}).")
        created, present = load_demo(assignee_username=assign_to)
        self.stdout.write(f"Demo claims: {created} created, {present} already present.")
