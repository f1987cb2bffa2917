"""manage.py search "TEXT": find images by meaning."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from photodesk.management.commands._output import results_json, results_table
from photodesk.search.service import search_images


class Command(BaseCommand):
    help = "Search the image archive by meaning. Best match first."

    def add_arguments(self, parser) -> None:
        parser.add_argument("text", nargs="?", help="What to look for.")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--json", action="store_true", help="Print a JSON array.")
        parser.add_argument(
            "--queries",
            type=Path,
            help="Run one query per line of FILE; with --json, print one JSON "
            "array per query, one per line.",
        )

    def handle(self, *args, text, limit, json, queries, **options) -> None:
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        if queries:
            if text:
                raise CommandError("Give either TEXT or --queries FILE, not both.")
            if not queries.is_file():
                raise CommandError(f"{queries} is not a file.")
            lines = queries.read_text().splitlines()
        elif text:
            lines = [text]
        else:
            raise CommandError("Give TEXT to search for, or --queries FILE.")
        for line in lines:
            results = search_images(line, limit=limit)
            if json:
                self.stdout.write(results_json(results))
            else:
                if queries:
                    self.stdout.write(f"\n== {line}")
                self.stdout.write(results_table(results))
