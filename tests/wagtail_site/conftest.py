"""The Wagtail site's tests run in a pytest session of their own (their settings name Wagtail's
image model, which the demo's database cannot have): `make test` runs them after the main
suite with --ds=tests.wagtail_site.settings; under any other settings they are not collected."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.images import ImageFile

from tests.conftest import DEMO_PHOTOS, need

SETTINGS = "tests.wagtail_site.settings"
if os.environ.get("DJANGO_SETTINGS_MODULE") != SETTINGS and settings.ROOT_URLCONF != (
    "tests.wagtail_site.urls"
):
    collect_ignore_glob = ["test_*.py"]

# A small archive is enough: the vehicles a car maker's article should find, and others.
PHOTOS = [
    "coco_000000014473.jpg",  # a train on its tracks
    "coco_000000015517.jpg",  # buses at a station
    "coco_000000098392.jpg",  # a street with a bus
    "coco_000000011149.jpg",  # a man beside bikes and a motorcycle
    "animal_cat_chelsea.jpg",
    "animal_raccoon_face.jpg",
    "food_coffee_cup.jpg",
    "culture_ancient_greek_coins.jpg",
    "nature_grass_texture.jpg",
    "people_astronaut_eileen_collins.jpg",
    "science_spacex_falcon9_rocket.jpg",
    "sklearn_flower.jpg",
    "space_moon_surface.jpg",
    "home_wall_clock_motion_blur.jpg",
]
VEHICLES = PHOTOS[:4]


def add_image(path: Path, collection=None, title: str = ""):
    """A Wagtail image saved as Wagtail's own upload form saves it (the title, the file, the
    collection; the dimensions and hash filled in by Wagtail)."""
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    with path.open("rb") as fh:
        image = get_image_model()(
            title=title or path.stem.replace("_", " "),
            file=ImageFile(fh, name=path.name),
            collection=collection or Collection.get_first_root_node(),
        )
        image._set_image_file_metadata()
        image.save()
    return image


@pytest.fixture(scope="session")
def wagtail_archive(django_db_setup, django_db_blocker) -> dict[str, int]:
    """The photos as Wagtail images, analysed by the real models once per session: name → pk."""
    need(DEMO_PHOTOS.is_dir(), f"{DEMO_PHOTOS} is missing")
    from photodesk.tasks import analysis_inline

    with django_db_blocker.unblock(), analysis_inline():
        return {name: add_image(DEMO_PHOTOS / name).pk for name in PHOTOS}


@pytest.fixture
def archive(wagtail_archive, db) -> dict[str, int]:
    return wagtail_archive


@pytest.fixture
def home(db):
    """The site's home page (Wagtail's initial data), where articles are added."""
    from wagtail.models import Site

    return Site.objects.get(is_default_site=True).root_page
