"""An uncaptioned photo borrows the words of visually similar captioned photos (into its vector
and its reasons, never its caption); a photo that does not look like it lends nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from photodesk.analysis.borrowed import lent_words
from photodesk.models import ImageAnalysis
from photodesk.search.service import search_images
from photodesk.tasks import analyze_now

from .conftest import EVAL_PHOTOS, need
from .helpers import make_image

pytestmark = pytest.mark.django_db

# Two photos of a black-and-white dog on grass (classifier embeddings at cosine 0.52) and a
# bedroom under a mosquito net (far from both).
UNCAPTIONED_DOG = "flickr8k_1009434119_febe49276a.jpg"
CAPTIONED_DOG = "flickr8k_1067180831_a59dc64344.jpg"
BEDROOM = "coco_val2017_000000010092.jpg"
DOG_CAPTION = "a dog runs across the grass"
BEDROOM_CAPTION = "A bed covered in mosquito netting in a bedroom with windows"


@pytest.fixture
def eval_photos(settings, separate_index):
    """Photos analysed by the classifier and the metadata reader only (faster)."""
    need((EVAL_PHOTOS / "images").is_dir(), "../shared/photos/eval is missing")
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "ANALYZERS": [
            "photodesk.analysis.analyzers.metadata.MetadataAnalyzer",
            "photodesk.analysis.analyzers.labels.LabelAnalyzer",
        ],
    }


@pytest.fixture
def borrowing(settings, eval_photos):
    settings.PHOTODESK = {**settings.PHOTODESK, "BORROW_WORDS": True}


def add(name: str, caption: str = ""):
    image = make_image((EVAL_PHOTOS / "images" / name).read_bytes(), name=name, caption=caption)
    analyze_now(image)
    return image


def test_an_uncaptioned_photo_borrows_from_a_similar_captioned_one_only(borrowing):
    dog = add(UNCAPTIONED_DOG)
    bedroom = add(BEDROOM, BEDROOM_CAPTION)
    assert all(
        w.image_id != bedroom.pk for w in lent_words(dog, ImageAnalysis.objects.get(image=dog))
    )

    lender = add(CAPTIONED_DOG, DOG_CAPTION)
    call_command("reindex", re_embed=True, no_progress=True)
    analysis = ImageAnalysis.objects.get(image=dog)
    lent = {w.image_id: w for w in lent_words(dog, analysis)}
    assert lender.pk in lent and bedroom.pk not in lent
    assert lent[lender.pk].text == DOG_CAPTION
    assert "words from similar photos: “a dog runs across the grass”" in analysis.description
    dog.refresh_from_db()
    assert dog.caption == ""  # borrowed words are never the photo's own

    results = search_images("a dog running on grass", limit=50)
    ids = [r.image.pk for r in results]
    assert ids.index(dog.pk) < ids.index(bedroom.pk)
    reasons = next(r for r in results if r.image.pk == dog.pk).reasons
    borrowed = next(r for r in reasons if r.kind == "borrowed")
    assert borrowed.data["photos"][0]["image_id"] == lender.pk
    assert borrowed.text.startswith("words from similar photos: “a dog runs")

    lender.delete()
    call_command("reindex", re_embed=True, no_progress=True)
    analysis = ImageAnalysis.objects.get(image=dog)
    assert lender.pk not in {w.image_id for w in lent_words(dog, analysis)}
    assert "a dog runs across the grass" not in analysis.description


def test_borrowing_is_off_by_default(eval_photos):
    dog = add(UNCAPTIONED_DOG)
    add(CAPTIONED_DOG, DOG_CAPTION)
    assert lent_words(dog, ImageAnalysis.objects.get(image=dog)) == []
