"""A small archive of known shape for the insights tests: rows written directly (no files, no
analysis), so every count a chart shows is known."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

UTC = dt.UTC

__all__ = ["small_archive"]


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


# title, added, rights, status, flagged (safety), labels {name: state}, person
ROWS = [
    (
        "Fire in the docks",
        "2026-01-05",
        "editorial",
        "done",
        0.9,
        {"fire": "auto", "smoke": "auto"},
        "Ann Lee",
    ),
    ("Fire at night", "2026-01-06", "editorial", "done", None, {"fire": "accepted"}, "Ann Lee"),
    (
        "Warehouse fire",
        "2026-01-14",
        "unrestricted",
        "done",
        None,
        {"fire": "auto", "flood": "review"},
        None,
    ),
    (
        "Flooded street",
        "2026-02-02",
        "unrestricted",
        "done",
        None,
        {"flood": "auto", "fire": "rejected"},
        "Bo Park",
    ),
    ("River flood", "2026-02-03", "forbidden", "failed", None, {"flood": "review"}, None),
    ("Old fire", "2025-06-01", "editorial", "pending", None, {"fire": "auto"}, None),
    ("Crowd", "2026-02-03", "editorial", "running", 0.8, {}, "Ann Lee"),
]


@pytest.fixture
def small_archive(db) -> dict[str, int]:
    """The ROWS, with two visual-vector clusters for the map: title → image id."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from cms_images.models import Image
    from photodesk.models import Face, ImageAnalysis, ImageLabel, Label, Person

    from .helpers import jpeg_bytes

    names = [
        default_storage.save(f"images/insights-{i}.jpg", ContentFile(jpeg_bytes()))
        for i in range(len(ROWS))
    ]
    images = Image.objects.bulk_create(
        [
            Image(file=name, title=row[0], rights=row[2], width=64, height=48)
            for name, row in zip(names, ROWS, strict=True)
        ]
    )
    labels = {
        name: Label.objects.get_or_create(slug=name, defaults={"name": name})[0]
        for name in ("fire", "smoke", "flood")
    }
    people = {name: Person.objects.create(name=name) for name in ("Ann Lee", "Bo Park")}
    rng = np.random.default_rng(0)
    centres = {"fire": rng.normal(size=64), "flood": rng.normal(size=64)}
    for image, (_, added, _, status, safety, tags, person) in zip(images, ROWS, strict=True):
        Image.objects.filter(pk=image.pk).update(created=at(added))
        centre = centres["flood" if tags.get("flood") == "auto" else "fire"]
        vector = (centre + rng.normal(scale=0.1, size=64)).astype(np.float32)
        ImageAnalysis.objects.create(
            image=image,
            status=status,
            flagged=safety is not None,
            safety_score=safety,
            visual_embedding=vector.tobytes() if status == "done" else None,
        )
        for name, state in tags.items():
            ImageLabel.objects.create(
                image=image, label=labels[name], confidence=80, source="test", state=state
            )
        if person:
            Face.objects.create(
                image=image,
                box=[0, 0, 10, 10],
                detection_confidence=0.9,
                person=people[person],
                state=Face.State.CONFIRMED,
            )
    # The images were written around the ORM's signals (bulk_create, update): as after any
    # bulk load, the insights rollups are counted again.
    from photodesk.insights import rollup

    rollup.rebuild()
    return {row[0]: image.pk for row, image in zip(ROWS, images, strict=True)}
