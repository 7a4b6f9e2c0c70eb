from django.core.management.base import BaseCommand

from claims.sitemaps import refresh


class Command(BaseCommand):
    help = (
        "Build the sitemaps if they are missing or older than the last public change (what beat runs every "
        "PUBLIC_SITEMAP_SECONDS). Run it from cron on a deployment without Celery workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Build them even if they are current.")

    def handle(self, *args, force=False, **options):
        built = refresh.build_if_needed(force=force)
        if built:
            self.stdout.write(f"Sitemaps built: {built['pages']}.")
        else:
            self.stdout.write("Sitemaps not built: current already, another build is running, or Redis is away.")
