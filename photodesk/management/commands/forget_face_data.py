"""manage.py forget_face_data --person ID|NAME: erase one person's face embeddings and crops."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from photodesk.models import Face, FaceCluster, FaceDecision, Person
from photodesk.people.recognition import delete_thumbnail_later


class Command(BaseCommand):
    help = (
        "Erase the face embeddings (biometric data) and face crops of one person, on request. "
        "Their faces stay as boxes linked to the person (so their photos stay findable by "
        "name), are marked as decided so a re-analysis does not compute them again, and can no "
        "longer be matched by face. The erasure is logged."
    )

    def add_arguments(self, parser) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--person", help="The person's id or exact name.")
        who.add_argument(
            "--all",
            dest="everyone",
            action="store_true",
            help="Every stored face embedding (e.g. after switching FACE_RECOGNITION off); "
            "crops and names stay.",
        )
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, person: str, everyone: bool, yes: bool, **options) -> None:
        if everyone:
            self._erase_all(yes)
            return
        target = self._person(person)
        faces = Face.objects.filter(person=target)
        count = faces.count()
        if not yes:
            answer = input(
                f"Erase the face embeddings and crops of {count} face(s) of “{target}” "
                f"(id {target.pk})? This cannot be undone. [y/N] "
            )
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Cancelled; nothing was changed.")
        now = timezone.now()
        with transaction.atomic():
            for face in faces.select_for_update():
                delete_thumbnail_later(face.thumbnail.name if face.thumbnail else "")
                FaceDecision.objects.create(
                    face=face,
                    image_id_snapshot=face.image_id,
                    person_name=target.name,
                    action="erase",
                )
            faces.update(
                embedding=None,
                embedding_model="",
                thumbnail="",
                cluster=None,
                decided_at=now,
            )
        self.stdout.write(
            self.style.SUCCESS(f"Erased the face data of {count} face(s) of “{target}”.")
        )

    def _erase_all(self, yes: bool) -> None:
        faces = Face.objects.exclude(embedding=None)
        count = faces.count()
        if not yes:
            answer = input(
                f"Erase the embeddings of all {count} face(s)? Nobody can then be recognised or "
                "searched by face until images are analysed again. [y/N] "
            )
            if answer.strip().lower() not in {"y", "yes"}:
                raise CommandError("Cancelled; nothing was changed.")
        with transaction.atomic():
            faces.update(embedding=None, embedding_model="", cluster=None)
            FaceCluster.objects.all().delete()
        self.stdout.write(self.style.SUCCESS(f"Erased the embeddings of {count} face(s)."))

    def _person(self, value: str) -> Person:
        if value.isdigit():
            found = Person.objects.filter(pk=int(value)).first()
            if found:
                return found
        matches = list(Person.objects.named(value))
        if not matches:
            raise CommandError(f"No person with id or name “{value}”.")
        if len(matches) > 1:
            ids = ", ".join(str(p.pk) for p in matches)
            raise CommandError(f"Several people are called “{value}” (ids {ids}); give the id.")
        return matches[0]
