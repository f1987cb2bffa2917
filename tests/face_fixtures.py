"""An archive of generated face scenes (tests/face_scenes.py), analysed once per session with
the real face models, and there only for the tests that ask for it.

The people used here are not in the demo archive (whose astronaut and COCO 19924 photos are
face sources too), so the session's demo photos never mix with them.

Committed for the whole session, the scenes leaked into other tests (measured: tests that
count the demo archive's images or index documents saw 52, not 39; a named person's search
found a scene; a test that erased crops took them from the next module's tests). So the
session fixture ingests them (into an index of its own), keeps the rows it added and their
files aside, and takes the rows out again; `face_archive` loads them into each test's own
transaction (a few milliseconds), and puts back any file a test deleted.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files import File
from django.core.management import call_command
from django.db import connection, models
from django.test import override_settings

from .conftest import need
from .face_scenes import available, make_scenes

PEOPLE_IN_TEST = ["p16598", "p18150", "p1989145280", "p2081446176"]
TOGETHER = ("p16598", "p18150")
FAST_ANALYZERS = [
    "photodesk.analysis.analyzers.metadata.MetadataAnalyzer",
    "photodesk.analysis.analyzers.faces.FaceAnalyzer",
]


@dataclass
class FaceArchive:
    images: dict[str, list[int]] = field(default_factory=dict)  # person → single-face images
    together: int = 0
    held_out: dict[str, Path] = field(default_factory=dict)  # person → scene not ingested
    rows: list[dict] = field(default_factory=list)  # what the ingest added, serialized
    files: dict[str, Path] = field(default_factory=dict)  # stored name → copy kept aside

    def all_ids(self) -> set[int]:
        return {pk for ids in self.images.values() for pk in ids} | {self.together}


def ingest_scenes(folder: Path, settings_dict: dict) -> dict[str, int]:
    from photodesk.host import get_image_model

    with override_settings(PHOTODESK={**settings_dict, "ANALYZERS": FAST_ANALYZERS}):
        call_command("ingest", str(folder), sync=True, no_progress=True)
    names = {p.name for p in folder.iterdir()}
    return {
        img.original_filename: img.pk
        for img in get_image_model().objects.filter(original_filename__in=names)
    }


def database_rows() -> dict[tuple[str, object], dict]:
    rows = json.loads(connection.creation.serialize_db_to_string())
    return {(row["model"], row["pk"]): row for row in rows}


def file_fields(row: dict) -> list[models.FileField]:
    fields = apps.get_model(row["model"])._meta.fields
    return [f for f in fields if isinstance(f, models.FileField) and row["fields"][f.name]]


@pytest.fixture(scope="session")
def analysed_face_scenes(django_db_setup, django_db_blocker, tmp_path_factory) -> FaceArchive:
    need(available(), "the face source photos in ../shared/photos are missing")
    from django.conf import settings

    from photodesk.host import get_image_model
    from photodesk.tasks import analysis_inline

    root = tmp_path_factory.mktemp("face-scenes")
    scenes = make_scenes(root / "archive", PEOPLE_IN_TEST, per_person=3, pairs=[TOGETHER])
    held_out = make_scenes(root / "held-out", PEOPLE_IN_TEST, per_person=1, seed=60)
    archive = FaceArchive(held_out={s.people[0]: s.path for s in held_out})
    with django_db_blocker.unblock():
        before = database_rows()
        ids = ingest_scenes(root / "archive", {**settings.PHOTODESK, "INDEX_PATH": root / "index"})
        archive.rows = [row for key, row in database_rows().items() if key not in before]
        for row in archive.rows:
            for f in file_fields(row):
                name = row["fields"][f.name]
                archive.files[name] = root / "files" / name
                archive.files[name].parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(f.storage.path(name), archive.files[name])
        # Faces and analyses go too; their index removal is done here, not queued for a
        # worker (no outbox row or task left behind).
        with analysis_inline():
            get_image_model().objects.filter(pk__in=ids.values()).delete()
        for row in archive.rows:  # what the images did not take with them (face clusters)
            apps.get_model(row["model"])._base_manager.filter(pk=row["pk"]).delete()
        assert database_rows().keys() == before.keys(), "the face scenes left rows behind"
    for scene in scenes:
        pk = ids[scene.path.name]
        if len(scene.people) == 1:
            archive.images.setdefault(scene.people[0], []).append(pk)
        else:
            archive.together = pk
    return archive


@pytest.fixture
def face_archive(analysed_face_scenes, db) -> FaceArchive:
    """The face scenes, analysed, in this test's transaction."""
    archive = analysed_face_scenes
    for obj in serializers.deserialize("python", archive.rows):
        obj.save()
    for row in archive.rows:
        for f in file_fields(row):
            name = row["fields"][f.name]
            if not f.storage.exists(name):  # an earlier test deleted it (crops erased)
                with archive.files[name].open("rb") as copy:
                    assert f.storage.save(name, File(copy)) == name
    return archive


@pytest.fixture
def fast_analyzers(settings):
    """Only metadata and faces run when a test analyses an image (the others are not needed)."""
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZERS": FAST_ANALYZERS}
