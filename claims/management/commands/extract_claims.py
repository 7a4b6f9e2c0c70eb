"""Print the candidate claims of an article: `manage.py extract_claims PATH [--published YYYY-MM-DD]`."""

import datetime
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.intake.extract import extract
from claims.intake.input import MAX_ARTICLE_BYTES, ArticleError, check_publication_date, decode_article
from claims.models import newsroom_today


def _date(value: str) -> datetime.date:
    try:
        published = datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--published must be a date as YYYY-MM-DD, not {value!r}.") from None
    try:
        return check_publication_date(published, newsroom_today())
    except ArticleError as error:
        raise CommandError(f"--published: {error}") from None


class Command(BaseCommand):
    help = (
        "Read an article (a UTF-8 text file, or - for standard input) and print its forward-looking claims "
        "with claimant, deadline and target. Reads only; saves nothing."
    )
    # Text in, text out: no database, no Redis, so none of the start-up checks apply.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="a UTF-8 text file, or - to read standard input")
        parser.add_argument(
            "--published",
            type=_date,
            help="publication date (YYYY-MM-DD); relative deadlines resolve against it (default: today)",
        )
        parser.add_argument(
            "--format", choices=["json", "text"], default="text", help="json: one JSON array, nothing else"
        )

    def handle(self, *args, path, published, format, **options):
        text = self._read(path)
        candidates = extract(text, published, today=newsroom_today())
        if format == "json":
            self.stdout.write(
                json.dumps([candidate.as_dict() for candidate in candidates], ensure_ascii=False, indent=2)
            )
            return
        for number, candidate in enumerate(candidates, 1):
            row = candidate.as_dict()
            target = row["target"]
            self.stdout.write(f"{number}. {row['sentence']}")
            self.stdout.write(f"   claimant: {row['claimant'] or '(none found)'}   score: {row['score']}")
            dates = f" ({row['deadline_start'] or '…'} – {row['deadline_end']})" if row["deadline_end"] else ""
            self.stdout.write(f"   deadline: {row['deadline_text'] or '—'} [{row['deadline_precision']}]{dates}")
            if target:
                self.stdout.write(
                    f"   target:   {target['quantity']} {target['comparator']} {target['value']} {target['unit']}"
                )
        self.stderr.write(f"{len(candidates)} candidate claim(s).")

    def _read(self, path: str) -> str:
        try:
            if path == "-":
                data = sys.stdin.buffer.read(MAX_ARTICLE_BYTES + 1)  # one byte more tells "too large"
            else:
                with Path(path).open("rb") as file:
                    data = file.read(MAX_ARTICLE_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
        try:
            return decode_article(data)
        except ArticleError as error:
            raise CommandError(str(error)) from None
