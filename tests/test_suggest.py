"""Suggestions for articles on the analysed demo photos: the car-maker scenario, filters,
near-duplicates, usage, people, and the result shape the panel and the API render."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from photodesk.search.index import Filters
from photodesk.search.ranking import RankingOptions
from photodesk.search.service import search_images, suggest_for_article, suggest_for_text

from .conftest import DEMO_PHOTOS
from .helpers import make_image
from .test_search import ROAD_PHOTOS, names

pytestmark = pytest.mark.django_db

# A tech executive visits a car maker. Written after looking at the demo photos (a motorcycle
# by bicycles, buses at a station, a bus and a car by a clock tower, a traffic light): no word
# of it is in any demo photo's title, caption, IPTC text or text read in the image.
VISIT_TITLE = "Cloud software chief tours Toyota plant"
VISIT_BODY = (
    "Werner Vogels, Amazon's chief technology officer, spent Tuesday at Toyota's headquarters "
    "in Aichi, talking to engineers about self-driving software. The automaker plans to put "
    "the system in its sedans and hatchbacks by 2028. Vogels test-drove a prototype on the "
    "company's proving ground and praised its assembly lines."
)
CAT_TITLE, CAT_BODY = "Cat of the week", "Our readers sent pictures of their cats and kittens."


def written_words(image) -> set[str]:
    from photodesk.host import human_text

    return set(re.findall(r"[a-z]+", f"{image.title} {human_text(image, image.analysis)}".lower()))


def test_a_car_maker_visit_surfaces_road_photos_without_a_shared_word(archive):
    from cms_images.models import Image

    article_words = set(re.findall(r"[a-z]+", f"{VISIT_TITLE} {VISIT_BODY}".lower()))
    common = {"the", "and", "its", "in", "of", "a", "on", "to", "s", "by", "at", "about"}
    for image in Image.objects.select_related("analysis"):
        assert not (article_words & written_words(image)) - common, image.original_filename
    results = suggest_for_text(VISIT_TITLE, VISIT_BODY, limit=5)
    assert ROAD_PHOTOS & set(names(results)), names(results)
    first_road = next(r for r in results if r.image.original_filename in ROAD_PHOTOS)
    assert any(reason.kind == "similarity" for reason in first_road.reasons)


def test_every_result_carries_what_the_panel_shows(archive):
    row = suggest_for_text(CAT_TITLE, CAT_BODY, limit=1)[0].as_dict()
    assert row["original_filename"] == "animal_cat_chelsea.jpg"
    assert {"id", "title", "original_filename", "score", "similarity", "reasons"} <= set(row)
    assert {"credit", "created", "width", "height", "thumbnail_url", "file_url"} <= set(row)
    assert row["width"] and row["height"] and row["file_url"].endswith(".jpg")
    kinds = [reason["kind"] for reason in row["reasons"]]
    assert "similarity" in kinds and all(reason["text"] for reason in row["reasons"])
    label = next(r for r in row["reasons"] if r["kind"] in {"label", "looks_like"})
    assert "cat" in label["label"] and 0 < label["confidence"] <= 100
    assert row["reason_texts"] == [reason["text"] for reason in row["reasons"]]


def test_filters_narrow_the_suggestions(archive):
    from cms_images.models import Image
    from photodesk.labels.service import labels_of

    everything = suggest_for_text(VISIT_TITLE, VISIT_BODY, limit=40)
    by_id = {img.pk: img for img in Image.objects.all()}
    portrait = suggest_for_text(
        VISIT_TITLE, VISIT_BODY, limit=40, filters=Filters(orientation="portrait")
    )
    assert portrait and all(by_id[r.image.pk].height > by_id[r.image.pk].width for r in portrait)
    assert len(portrait) < len(everything)
    wide = suggest_for_text(VISIT_TITLE, VISIT_BODY, limit=40, filters=Filters(min_width=600))
    assert wide and all(by_id[r.image.pk].width >= 600 for r in wide)
    future = Filters(created_after=timezone.now() + dt.timedelta(days=1))
    assert suggest_for_text(VISIT_TITLE, VISIT_BODY, filters=future) == []
    cat = Image.objects.get(original_filename="animal_cat_chelsea.jpg")
    tag = labels_of(cat)[0].label.name
    tagged = search_images("an animal", limit=40, filters=Filters(labels={tag.upper()}))
    assert cat.pk in [r.image.pk for r in tagged]
    assert all(tag in [row.label.name for row in labels_of(r.image)] for r in tagged)


def test_a_near_duplicate_goes_below_the_other_suggestions(archive):
    from PIL import Image as PILImage

    from photodesk import tasks
    from photodesk.search.index import get_index

    # The cat photo again, smaller and re-encoded: another file, the same picture.
    source = PILImage.open(DEMO_PHOTOS / "animal_cat_chelsea.jpg")
    import io

    buffer = io.BytesIO()
    source.resize((source.width * 3 // 4, source.height * 3 // 4)).save(buffer, "JPEG", quality=80)
    copy = make_image(buffer.getvalue(), name="chelsea_copy.jpg")
    tasks.analyze_now(copy)
    try:
        plain = suggest_for_text(  # no diversification
            CAT_TITLE,
            CAT_BODY,
            limit=5,
            options=RankingOptions.for_suggestions(mmr_lambda=1.0, duplicate_similarity=2.0),
        )
        assert names(plain)[:2] in (
            ["animal_cat_chelsea.jpg", "chelsea_copy.jpg"],
            ["chelsea_copy.jpg", "animal_cat_chelsea.jpg"],
        )
        diverse = suggest_for_text(CAT_TITLE, CAT_BODY, limit=5)
        ranked = names(diverse)
        first = ranked[0]
        twin = "chelsea_copy.jpg" if first == "animal_cat_chelsea.jpg" else "animal_cat_chelsea.jpg"
        assert twin not in ranked[:4]
        if twin in ranked:
            reasons = diverse[ranked.index(twin)].reasons
            assert any(r.kind == "near_duplicate" for r in reasons)
    finally:
        get_index().delete([copy.pk])


def test_images_used_in_recent_articles_drop_and_say_why(archive):
    from cms_images.models import Article

    def ranked() -> list:
        return suggest_for_text(VISIT_TITLE, VISIT_BODY, limit=40)

    before = ranked()
    first, second = before[0].image, before[1].image
    assert all(any(r.kind == "never_used" for r in x.reasons) for x in before[:10])
    Article.objects.create(title="Last week", lead_image=first, published_at=timezone.now())
    after = ranked()
    position = [r.image.pk for r in after].index(first.pk)
    assert position > 0 and after[0].image.pk == second.pk
    assert any(r.kind == "recently_used" and "today" in r.text for r in after[position].reasons)
    # An image inserted into a body counts too.
    Article.objects.create(
        title="Body", body=f"Text.\n[image:{second.pk}]\nMore text.", published_at=timezone.now()
    )
    again = ranked()
    assert {first.pk, second.pk}.isdisjoint({r.image.pk for r in again[:1]})
    # An old use is no penalty (but the image is no longer "never used").
    Article.objects.update(published_at=timezone.now() - dt.timedelta(days=400))
    old = ranked()
    assert first.pk in {r.image.pk for r in old[:3]}
    used_long_ago = next(r for r in old if r.image.pk == first.pk)
    assert not any(r.kind in {"recently_used", "never_used"} for r in used_long_ago.reasons)


def test_without_a_usage_function_no_photo_is_said_to_be_unused(archive, settings):
    settings.PHOTODESK = {
        k: v for k, v in settings.PHOTODESK.items() if k != "SUGGEST_USAGE_FUNCTION"
    }
    found = suggest_for_text(VISIT_TITLE, VISIT_BODY, limit=10)
    assert found
    assert not [r for x in found for r in x.reasons if r.kind in {"never_used", "recently_used"}]


def test_a_person_named_in_the_article_and_shown_in_the_photo_comes_first(archive):
    from cms_images.models import Image
    from photodesk.indexing import index_image
    from photodesk.models import Face, Person

    photo = Image.objects.get(original_filename="people_astronaut_eileen_collins.jpg")
    title, body = "Veteran commander honoured", "Eileen Collins received the award on Monday."
    assert photo.pk not in [r.image.pk for r in suggest_for_text(title, body, limit=3)[:1]]
    person = Person.objects.create(name="Eileen Marie Collins", aliases=["Eileen Collins"])
    Face.objects.create(
        image=photo,
        box=[10, 10, 50, 50],
        detection_confidence=0.9,
        person=person,
        state="confirmed",
    )
    index_image(photo, photo.analysis)  # the index learns who is shown, as a naming does
    try:
        results = suggest_for_text(title, body, limit=3)
        assert results[0].image.pk == photo.pk
        assert results[0].reasons[0].kind == "person"
        assert results[0].reasons[0].text == "shows Eileen Marie Collins"
        assert results[0].as_dict()["people"] == ["Eileen Marie Collins"]
        only = search_images("a person", limit=40, filters=Filters(people_ids={person.pk}))
        assert [r.image.pk for r in only] == [photo.pk]
    finally:
        Face.objects.filter(person=person).delete()
        index_image(photo, photo.analysis)


def test_suggest_for_article_leaves_out_its_lead_image(archive):
    from cms_images.models import Article, Image

    cat = Image.objects.get(original_filename="animal_cat_chelsea.jpg")
    article = Article(title=CAT_TITLE, body=CAT_BODY, lead_image=cat)
    assert cat.pk not in [r.image.pk for r in suggest_for_article(article, limit=10)]
