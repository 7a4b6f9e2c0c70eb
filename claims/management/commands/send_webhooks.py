from django.core.management.base import BaseCommand

from claims.webhooks import sender


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries that are due (what beat runs every WEBHOOK_SWEEP_SECONDS); safe beside a worker."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Webhooks: {sender.sweep().as_dict()}")
