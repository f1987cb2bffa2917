"""Saving an image queues its analysis once, after commit; deleting takes it out of search."""

from __future__ import annotations

import pytest
from django_q.models import OrmQ

from photodesk import tasks
from photodesk.models import ImageAnalysis, IndexRemoval

from .helpers import jpeg_bytes, make_image

pytestmark = pytest.mark.django_db


def queued_pks(func: str = "photodesk.tasks.analyze_image") -> list[int]:
    return [task.task["args"][0] for task in OrmQ.objects.all() if task.task["func"] == func]


def test_new_image_queues_exactly_one_analysis_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        image = make_image(jpeg_bytes())
        assert queued_pks() == [], "nothing may be queued before the transaction commits"
    for callback in callbacks:
        callback()
    assert queued_pks() == [image.pk]
    assert ImageAnalysis.objects.get(image=image).status == ImageAnalysis.Status.PENDING


def test_unchanged_file_queues_no_analysis(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        image = make_image(jpeg_bytes())
    OrmQ.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        image.title = "A new title"
        image.save()
    with django_capture_on_commit_callbacks(execute=True):
        reloaded = type(image).objects.get(pk=image.pk)
        reloaded.caption = "Edited caption"
        reloaded.save()
    assert queued_pks() == []
    # Only the stored facts are re-embedded and re-indexed, once per edit, no model runs.
    assert queued_pks("photodesk.tasks.refresh_image") == [image.pk, image.pk]
    OrmQ.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        type(image).objects.get(pk=image.pk).save()
    assert OrmQ.objects.count() == 0, "a save that changes nothing queues nothing"


def test_replacing_the_file_queues_analysis_again(django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    with django_capture_on_commit_callbacks(execute=True):
        image = make_image(jpeg_bytes())
    OrmQ.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        image.file.save("other.jpg", ContentFile(jpeg_bytes((0, 0, 255))), save=False)
        image.save()
    assert queued_pks() == [image.pk]


def test_delete_removes_the_image_from_search(archive, django_capture_on_commit_callbacks):
    from cms_images.models import Image
    from photodesk.indexing import build_document
    from photodesk.search.index import get_index
    from photodesk.search.service import search_images

    cat_pk = archive["animal_cat_chelsea.jpg"]
    assert search_images("a cat", limit=1)[0].image.pk == cat_pk
    cat = Image.objects.get(pk=cat_pk)
    document = build_document(cat, cat.analysis)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            Image.objects.get(pk=cat_pk).delete()
        # The removal is owed (committed with the delete) and queued, not done in the request.
        assert list(IndexRemoval.objects.values_list("image_key", flat=True)) == [str(cat_pk)]
        assert [t.task["func"] for t in OrmQ.objects.all()] == [
            "photodesk.tasks.drain_index_outbox"
        ]
        assert tasks.drain_index_outbox() == "1 removed"  # the worker runs it
        assert not IndexRemoval.objects.exists()
        assert cat_pk not in get_index().ids()
        assert cat_pk not in [r.image.pk for r in search_images("a cat", limit=40)]
        assert not ImageAnalysis.objects.filter(image_id=cat_pk).exists()
    finally:
        # The database rolls back after the test; put the shared index back in step with it.
        get_index().upsert([document])


def test_an_edited_caption_is_searchable_without_reanalysis(
    archive, settings, django_capture_on_commit_callbacks
):
    from cms_images.models import Image
    from photodesk.indexing import build_document
    from photodesk.search.index import get_index
    from photodesk.search.service import search_images

    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}
    pk = archive["animal_cat_chelsea.jpg"]
    image = Image.objects.get(pk=pk)
    document = build_document(image, image.analysis)
    analysed_at = image.analysis.finished_at
    try:
        assert pk not in [r.image.pk for r in search_images("zanzibar", limit=3)]
        with django_capture_on_commit_callbacks(execute=True):
            image.caption = "Zanzibar, the newsroom cat, asleep on the desk"
            image.save()
        assert search_images("zanzibar", limit=3)[0].image.pk == pk
        assert ImageAnalysis.objects.get(image_id=pk).finished_at == analysed_at
    finally:
        get_index().upsert([document])


def test_tag_decisions_refresh_each_image_once_and_never_one_rolled_back(archive):
    from django.db import transaction

    from photodesk.labels.service import add_label
    from photodesk.models import Label
    from photodesk.signal_handlers import refresh_after_commit

    cat, coffee = archive["animal_cat_chelsea.jpg"], archive["food_coffee_cup.jpg"]
    labels = list(Label.objects.active()[:3])
    editor = None
    with pytest.raises(RuntimeError), transaction.atomic():  # a request that failed
        add_label(ImageAnalysis.objects.get(image_id=cat).image, labels[0], editor)
        raise RuntimeError
    for label in labels:  # three tags on one image, in the next transaction
        add_label(ImageAnalysis.objects.get(image_id=coffee).image, label, editor)
    # Refreshed once after commit (the test's transaction never commits), the cat not at all.
    assert refresh_after_commit.pending == {coffee}
