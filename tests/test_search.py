"""Search and suggestions over the analysed demo photos, through the functions and commands."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import call_command

from photodesk.search.service import search_images, suggest_for_article

pytestmark = pytest.mark.django_db

CAR_COMPANY = (
    "The carmaker reported record quarterly profits as demand for its new electric "
    "models grew, and its chief executive promised cheaper vehicles next year."
)
# Demo photos showing cars, motorcycles or roads (looked at by a person).
ROAD_PHOTOS = {
    "coco_000000011149.jpg",
    "coco_000000015517.jpg",
    "coco_000000098392.jpg",
    "coco_000000015272.jpg",
}


def names(results) -> list[str]:
    return [r.image.original_filename for r in results]


def test_a_cat_finds_the_cat_photo_first(archive):
    results = search_images("a cat", limit=5)
    assert names(results)[0] == "animal_cat_chelsea.jpg"
    assert any("cat" in reason for reason in results[0].reason_texts)


def test_a_car_company_sentence_finds_road_photos_without_shared_words(archive):
    from cms_images.models import Image

    query_words = set(re.findall(r"[a-z]+", CAR_COMPANY.lower()))
    for image in Image.objects.all():
        caption_words = set(re.findall(r"[a-z]+", f"{image.title} {image.caption}".lower()))
        assert not (query_words & caption_words - {"the", "and", "its", "as", "for", "of", "a"})
    top3 = names(search_images(CAR_COMPANY, limit=3))
    assert ROAD_PHOTOS & set(top3), top3


def test_suggestions_for_an_article_explain_themselves(archive):
    results = suggest_for_article(title="Carmaker's profits soar", body=CAR_COMPANY, limit=5)
    assert ROAD_PHOTOS & set(names(results[:3]))
    assert all(result.reasons for result in results)


def test_suggestions_leave_out_images_that_may_not_be_reused(archive):
    from cms_images.models import Image

    first = suggest_for_article(title="A cat", body="Our cat of the week.", limit=1)[0]
    Image.objects.filter(pk=first.image.pk).update(rights=Image.Rights.FORBIDDEN)
    # The index keeps its own copy of the rights: update it as a save would.
    from photodesk.indexing import index_image

    image = Image.objects.get(pk=first.image.pk)
    index_image(image, image.analysis)
    try:
        again = suggest_for_article(title="A cat", body="Our cat of the week.", limit=5)
        assert first.image.pk not in [r.image.pk for r in again]
        assert (
            first.image.pk == search_images("a cat", limit=1)[0].image.pk
        )  # search still shows it
    finally:
        image.rights = Image.Rights.EDITORIAL
        index_image(image, image.analysis)


def test_search_command_prints_json_best_first(archive, capsys):
    call_command("search", "a cup of coffee", limit=3, json=True)
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 3
    assert {"id", "title", "original_filename", "score", "reasons"} <= set(rows[0])
    assert rows[0]["original_filename"] == "food_coffee_cup.jpg"
    assert "/" not in rows[0]["original_filename"]
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True)


def test_search_command_runs_a_file_of_queries(archive, capsys, tmp_path):
    queries = tmp_path / "queries.txt"
    queries.write_text("a cat\na cup of coffee\n")
    call_command("search", queries=queries, limit=2, json=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])[0]["original_filename"] == "animal_cat_chelsea.jpg"
    assert json.loads(lines[1])[0]["original_filename"] == "food_coffee_cup.jpg"


def test_search_command_prints_a_table_without_json(archive, capsys):
    call_command("search", "a cat", limit=2)
    out = capsys.readouterr().out
    assert "animal_cat_chelsea.jpg" in out and "score" in out


def test_suggest_command_for_text_and_for_a_stored_article(archive, capsys):
    from cms_images.models import Article

    call_command("suggest", text=CAR_COMPANY, limit=3, json=True)
    from_text = json.loads(capsys.readouterr().out)
    article = Article.objects.create(title="", body=CAR_COMPANY)
    call_command("suggest", article=article.pk, limit=3, json=True)
    from_article = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in from_text] == [r["id"] for r in from_article]
    assert all(r["reasons"] for r in from_text)


def test_similar_images_excludes_the_image_itself(archive):
    from cms_images.models import Image
    from photodesk.search.service import similar_images

    cat = Image.objects.get(pk=archive["animal_cat_chelsea.jpg"])
    results = similar_images(cat, limit=3)
    assert len(results) == 3 and cat.pk not in [r.image.pk for r in results]


def test_commands_reject_bad_arguments(archive):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("search")
    with pytest.raises(CommandError):
        call_command("suggest", article=999999)
    with pytest.raises(CommandError):
        call_command("ingest", "/nonexistent/folder")
