import sys

from django.core.management.base import BaseCommand

from claims.opendata import build as documents
from claims.opendata import refresh


class Command(BaseCommand):
    help = (
        "Write every published claim as CSV or JSON, the same bytes as /data/claims.csv and /data/claims.json "
        "(public fields only, with the licence). --build instead builds the served files if they are missing or "
        "older than the last change (what beat runs every OPEN_DATA_SECONDS): run it from cron without workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=documents.FORMATS, default="csv")
        parser.add_argument("--output", help="A file to write (default: standard output).")
        parser.add_argument("--build", action="store_true", help="Build the files /data/ serves instead.")

    def handle(self, *args, format="csv", output=None, build=False, **options):
        if build:
            built = refresh.build_if_needed()
            self.stdout.write("Open data built." if built else "Open data current, being built, or the cache away.")
            return
        if output:
            with open(output, "wb") as out:
                documents.write(format, out)
            self.stderr.write(f"Wrote {output}.")
        else:
            documents.write(format, sys.stdout.buffer)
            sys.stdout.buffer.flush()
