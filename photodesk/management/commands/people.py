"""manage.py people: who is in the archive, photos of someone, photos of people together."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from photodesk.host import image_file_name
from photodesk.management.commands._output import rows_output
from photodesk.models import Face, Person
from photodesk.people.queries import photos_of, photos_with


class Command(BaseCommand):
    help = (
        "People: list them with their photo counts, the photos of one person (name or alias, "
        "case and accents ignored), or the photos showing several people together."
    )

    def add_arguments(self, parser) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument(
            "--list", dest="list_people", action="store_true", help="Every person and their photos."
        )
        what.add_argument(
            "--photos-of", dest="person", metavar="NAME", help="Photos showing this person."
        )
        what.add_argument(
            "--together", nargs="+", metavar="NAME", help="Photos showing all these people."
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, list_people: bool, person: str, together: list[str], json: bool, **kw):
        if list_people:
            shown = Q(faces__state__in=[Face.State.AUTO, Face.State.CONFIRMED])
            rows = [
                {
                    "id": p.pk,
                    "name": p.name,
                    "aliases": p.aliases,
                    "kind": p.kind,
                    "photos": p.n_photos,
                    "to_review": p.n_review,
                }
                for p in Person.objects.annotate(
                    n_photos=Count("faces__image", filter=shown, distinct=True),
                    n_review=Count("faces", filter=Q(faces__state=Face.State.REVIEW)),
                ).order_by("name")
            ]
            self._print(
                rows,
                json,
                lambda r: (
                    f"{r['id']:>5}  {r['photos']:>5} photo(s)  {r['name']}"
                    + (f"  (also {', '.join(r['aliases'])})" if r["aliases"] else "")
                    + (f"  [{r['to_review']} to review]" if r["to_review"] else "")
                ),
            )
            return
        names = [person] if person else together
        for name in names:
            if not Person.objects.named(name).exists():
                raise CommandError(f"No person called “{name}” (by name or alias).")
        images = photos_of(person) if person else photos_with(names)
        rows = [
            {"id": img.pk, "original_filename": image_file_name(img)}
            for img in images.order_by("pk")
        ]
        self._print(rows, json, lambda r: f"{r['id']:>6}  {r['original_filename']}")

    def _print(self, rows, as_json: bool, line) -> None:
        self.stdout.write(rows_output(rows, as_json, line))
