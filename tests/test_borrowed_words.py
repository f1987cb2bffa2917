"""An uncaptioned photo borrows the words of visually similar captioned photos (into its vector
and its reasons, never its caption); a photo that does not look like it lends nothing."""

from __future__ import annotations

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from photodesk.analysis import borrowed
from photodesk.analysis.borrowed import lent_words, stored_lenders
from photodesk.labels.service import add_label, decide
from photodesk.models import ImageAnalysis, ImageLabel, Label, Neighbour
from photodesk.search.service import search_images

from .conftest import EVAL_PHOTOS, need
from .helpers import make_image
from .opensearch_support import drop, new_alias, require_node, use_opensearch

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


@pytest.fixture(params=["embedded", "opensearch"])
def borrowing(request, settings, eval_photos):
    """Borrowing on, with each index backend: both must rank and explain alike."""
    settings.PHOTODESK = {**settings.PHOTODESK, "BORROW_WORDS": True}
    if request.param == "opensearch":
        require_node()
        alias = new_alias()
        use_opensearch(settings, alias)
        yield request.param
        drop(alias)
    else:
        yield request.param


class Archive:
    """Saves and deletes that run what they queue after their commit, in this process."""

    def __init__(self, capture) -> None:
        self.committed = lambda: capture(execute=True)

    def add(self, name: str, caption: str = ""):
        with self.committed():
            data = (EVAL_PHOTOS / "images" / name).read_bytes()
            return make_image(data, name=name, caption=caption)

    def save(self, image) -> None:
        with self.committed():
            image.save()

    def delete(self, image) -> None:
        with self.committed():
            image.delete()


@pytest.fixture
def archive(settings, django_capture_on_commit_callbacks) -> Archive:
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}
    return Archive(django_capture_on_commit_callbacks)


def similarity_of(image, query: str) -> float:
    return next(r.similarity for r in search_images(query, limit=50) if r.image == image)


def test_an_uncaptioned_photo_borrows_from_a_similar_captioned_one_as_it_arrives(
    borrowing, archive
):
    dog = archive.add(UNCAPTIONED_DOG)
    bedroom = archive.add(BEDROOM, BEDROOM_CAPTION)
    analysis = ImageAnalysis.objects.get(image=dog)
    assert bedroom.pk not in {n.lender_id for n in Neighbour.objects.filter(image=dog)}
    assert "a dog runs" not in analysis.description

    # The captioned dog arrives after: the uncaptioned one is refreshed (no reindex).
    lender = archive.add(CAPTIONED_DOG, DOG_CAPTION)
    analysis.refresh_from_db()
    assert list(Neighbour.objects.filter(image=dog).values_list("lender_id", flat=True)) == [
        lender.pk
    ]
    assert "looks like photos captioned “a dog runs across the grass”" in analysis.description
    dog.refresh_from_db()
    assert dog.caption == ""  # borrowed words are never the photo's own

    results = search_images("a dog running on grass", limit=50)
    ids = [r.image.pk for r in results]
    assert ids.index(dog.pk) < ids.index(bedroom.pk)
    reasons = next(r for r in results if r.image.pk == dog.pk).reasons
    borrowed = next(r for r in reasons if r.kind == "borrowed")
    assert borrowed.text.startswith("looks like photos captioned “a dog runs across the grass” (0.")
    photo = borrowed.data["photos"][0]
    assert photo["image_id"] == lender.pk
    assert photo["url"].endswith(f"/{lender.pk}/change/")

    # The lender is deleted: the dog stops borrowing from it, at once.
    archive.delete(lender)
    analysis.refresh_from_db()
    assert not Neighbour.objects.filter(image=dog).exists()
    assert "a dog runs across the grass" not in analysis.description
    reasons = next(r for r in search_images("a dog running on grass", limit=50) if r.image == dog)
    assert not any(r.kind == "borrowed" for r in reasons.reasons)


def test_an_edited_caption_refreshes_the_photos_that_borrow_it(borrowing, archive):
    dog = archive.add(UNCAPTIONED_DOG)
    lender = archive.add(CAPTIONED_DOG, DOG_CAPTION)
    assert Neighbour.objects.filter(image=dog, lender=lender).exists()
    before = similarity_of(dog, "a black and white collie herding sheep")

    lender.caption = "A black and white collie herding sheep on a hill"
    archive.save(lender)
    analysis = ImageAnalysis.objects.get(image=dog)
    assert "collie herding sheep" in analysis.description
    assert similarity_of(dog, "a black and white collie herding sheep") > before + 0.05

    # The lender loses its words: it lends nothing, and the dog borrows nothing.
    lender.caption = ""
    archive.save(lender)
    assert not Neighbour.objects.filter(lender=lender).exists()
    assert "collie" not in ImageAnalysis.objects.get(image=dog).description


def test_reindex_re_embed_rebuilds_every_neighbour_list(borrowing, archive):
    dog = archive.add(UNCAPTIONED_DOG)
    lender = archive.add(CAPTIONED_DOG, DOG_CAPTION)
    Neighbour.objects.all().delete()
    call_command("reindex", re_embed=True, no_progress=True)
    assert Neighbour.objects.filter(image=dog, lender=lender).exists()


def test_borrowing_can_be_turned_off(settings, eval_photos, archive):
    settings.PHOTODESK = {**settings.PHOTODESK, "BORROW_WORDS": False}
    dog = archive.add(UNCAPTIONED_DOG)
    archive.add(CAPTIONED_DOG, DOG_CAPTION)
    assert lent_words(dog, ImageAnalysis.objects.get(image=dog)) == []
    assert not Neighbour.objects.exists()


def test_an_accepted_tag_is_lent_and_a_rejected_one_never(borrowing, archive):
    editor = User.objects.create_user("editor")
    dog = archive.add(UNCAPTIONED_DOG)
    lender = archive.add(CAPTIONED_DOG, DOG_CAPTION)
    with archive.committed():
        tag = add_label(lender, Label.objects.create(name="Sheepdog"), editor)
    assert "Sheepdog" in ImageAnalysis.objects.get(image=dog).description
    assert "Sheepdog" in stored_lenders([dog.pk])[dog.pk][0].text

    with archive.committed():
        decide(tag, ImageLabel.State.REJECTED, editor)
    assert "Sheepdog" not in ImageAnalysis.objects.get(image=dog).description
    assert "Sheepdog" not in stored_lenders([dog.pk])[dog.pk][0].text


def test_a_large_archives_neighbour_indexes_are_saved_and_restored(
    settings, eval_photos, archive, monkeypatch, tmp_path
):
    settings.PHOTODESK = {**settings.PHOTODESK, "CACHE_DIR": tmp_path / "cache"}
    monkeypatch.setattr(borrowed, "SAVE_FROM_PHOTOS", 2)  # "large" from two photos
    dog = archive.add(UNCAPTIONED_DOG)
    lender = archive.add(CAPTIONED_DOG, DOG_CAPTION)
    visual = np.frombuffer(bytes(ImageAnalysis.objects.get(image=dog).visual_embedding), np.float32)

    built = borrowed.Neighbours()
    built.refresh(force=True)  # a full build: saved
    assert [w.image_id for w in built.nearest_lenders(dog.pk, visual)] == [lender.pk]

    restored = borrowed.Neighbours()
    assert restored._restore()
    assert restored.lenders.keys == {lender.pk} and restored.borrowers.keys == {dog.pk}
    restored.refresh(force=True)
    assert [w.image_id for w in restored.nearest_lenders(dog.pk, visual)] == [lender.pk]

    # A photo the saved indexes never saw, older than their save: they are not this archive's.
    bedroom = archive.add(BEDROOM, BEDROOM_CAPTION)
    ImageAnalysis.objects.filter(image=bedroom).update(updated=restored._since)
    assert not borrowed.Neighbours()._restore()
