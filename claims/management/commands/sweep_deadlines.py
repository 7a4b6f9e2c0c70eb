from django.core.management.base import BaseCommand
from django.utils import timezone

from claims.reminders import schedule
from claims.reminders.sweep import sweep


class Command(BaseCommand):
    help = (
        "Run one deadline-reminder sweep in the foreground (what Celery beat runs every REMINDER_SWEEP_SECONDS). "
        "Safe to run while workers sweep too."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--backfill",
            action="store_true",
            help="First schedule every open claim with a deadline that has no reminders yet (after an upgrade, "
            "or an import that bypassed claims.services). Reads the whole claim table once.",
        )

    def handle(self, *args, backfill=False, **options):
        if backfill:
            count = schedule.backfill(timezone.localdate())
            self.stdout.write(f"Scheduled reminders for {count} claim(s) that had none.")
        result = sweep()
        self.stdout.write(f"Reminder sweep: {result}.")
        while result.more_due:
            result = sweep()
            self.stdout.write(f"Reminder sweep: {result}.")
