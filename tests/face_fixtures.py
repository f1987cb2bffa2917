"""An archive of generated face scenes (tests/face_scenes.py), ingested once per session with
the real face models (about 10 s) and committed, like the demo archive.

The people used here are not in the demo archive (whose astronaut and COCO 19924 photos are
face sources too), so the session's demo photos never mix with them. The scenes are analysed
for faces only: they have no embedding, so they are not in the search index and no search over
the demo archive finds them; a test that counts every image must count the demo photos it
means (len(archive)), not the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from .conftest import need
from .face_scenes import available, make_scenes

PEOPLE_IN_TEST = ["p16598", "p18150", "p1989145280", "p2081446176"]
TOGETHER = ("p16598", "p18150")
FAST_ANALYZERS = [
    "semantic_search.analysis.analyzers.metadata.MetadataAnalyzer",
    "semantic_search.analysis.analyzers.faces.FaceAnalyzer",
]


@dataclass
class FaceArchive:
    images: dict[str, list[int]] = field(default_factory=dict)  # person → single-face images
    together: int = 0
    held_out: dict[str, Path] = field(default_factory=dict)  # person → scene not ingested

    def all_ids(self) -> set[int]:
        return {pk for ids in self.images.values() for pk in ids} | {self.together}


def ingest_scenes(folder: Path, settings_dict: dict) -> dict[str, int]:
    from semantic_search.host import get_image_model

    with override_settings(PHOTODESK={**settings_dict, "ANALYZERS": FAST_ANALYZERS}):
        call_command("ingest", str(folder), sync=True, no_progress=True)
    names = {p.name for p in folder.iterdir()}
    return {
        img.original_filename: img.pk
        for img in get_image_model().objects.filter(original_filename__in=names)
    }


@pytest.fixture(scope="session")
def face_archive(django_db_setup, django_db_blocker, tmp_path_factory) -> FaceArchive:
    need(available(), "the face source photos in ../shared/photos are missing")
    from django.conf import settings

    root = tmp_path_factory.mktemp("face-scenes")
    scenes = make_scenes(root / "archive", PEOPLE_IN_TEST, per_person=3, pairs=[TOGETHER])
    held_out = make_scenes(root / "held-out", PEOPLE_IN_TEST, per_person=1, seed=60)
    archive = FaceArchive(held_out={s.people[0]: s.path for s in held_out})
    with django_db_blocker.unblock():
        ids = ingest_scenes(root / "archive", settings.PHOTODESK)
        for scene in scenes:
            pk = ids[scene.path.name]
            if len(scene.people) == 1:
                archive.images.setdefault(scene.people[0], []).append(pk)
            else:
                archive.together = pk
    return archive


@pytest.fixture
def fast_analyzers(settings):
    """Only metadata and faces run when a test analyses an image (the others are not needed)."""
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZERS": FAST_ANALYZERS}
