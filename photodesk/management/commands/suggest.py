"""manage.py suggest --text "ARTICLE" | --article ID: images for an article."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from photodesk.host import get_article_model
from photodesk.management.commands._output import results_json, results_table
from photodesk.search.service import suggest_for_article


class Command(BaseCommand):
    help = "Suggest archive images for an article (stored, or given as text). Best first."

    def add_arguments(self, parser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--text", help="The article text (title and body).")
        source.add_argument("--article", type=int, help="ID of a stored article.")
        parser.add_argument("--title", default="", help="Title, with --text.")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--json", action="store_true", help="Print a JSON array.")

    def handle(self, *args, text, article, title, limit, json, **options) -> None:
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        if article is not None:
            model = get_article_model()
            if model is None:
                raise CommandError(
                    "This site names no article model: set PHOTODESK['ARTICLE_MODEL'] = "
                    "'app_label.Model' (a model with title and body fields), or give the "
                    "article's text with --text."
                )
            try:
                results = suggest_for_article(model.objects.get(pk=article), limit=limit)
            except model.DoesNotExist as exc:
                raise CommandError(f"No article with id {article}.") from exc
        else:
            if not (text.strip() or title.strip()):
                raise CommandError("--text is empty.")
            results = suggest_for_article(title=title, body=text, limit=limit)
        self.stdout.write(results_json(results) if json else results_table(results))
