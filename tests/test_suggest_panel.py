"""The article editor's "Suggested images" panel, without a browser: its JSON endpoints
(permissions, bad input, what each card carries), the thumbnails and the editor page."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage

from cms_images.models import Article, Image
from photodesk.admin.renditions import THUMBNAIL_SIZE, rendition_name

pytestmark = pytest.mark.django_db

CAR_ARTICLE = {
    "title": "Tech chief tours the car maker's new plant",
    "body": (
        "The executive drove the company's latest models on the test track before meeting "
        "the engineers who build its cars and trucks."
    ),
}
SUGGEST = reverse("admin:cms_images_article_suggest")
SEARCH = reverse("admin:cms_images_article_search_images")


def similar_url(pk: int) -> str:
    return reverse("admin:cms_images_article_similar_images", args=[pk])


def thumbnail_url(pk: int) -> str:
    return reverse("admin:semantic_search_thumbnail", args=[pk])


def staff(django_user_model, name: str, *perms: str) -> Client:
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=perms))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(django_user_model) -> Client:
    return staff(
        django_user_model, "editor", "add_article", "change_article", "view_article", "view_image"
    )


def test_an_editor_gets_suggestions_for_unsaved_text_with_reasons(archive, editor):
    response = editor.post(SUGGEST, CAR_ARTICLE)
    assert response.status_code == 200, response.content
    payload = response.json()
    results = payload["results"]
    assert payload["kind"] == "suggestions" and 0 < len(results) <= 12
    first = results[0]
    # The search service's keys stay; the panel adds what a journalist needs to choose.
    assert {"id", "title", "score", "similarity", "reasons"} <= first.keys()
    assert {"credit", "date", "date_kind", "thumbnail", "admin_url", "in_article"} <= first.keys()
    assert first["rights_label"] == "Editorial use only"  # the ingest default
    assert first["thumbnail"] == thumbnail_url(first["id"])
    assert all(r["reasons"] for r in results)
    assert all({"kind", "text"} == reason.keys() for r in results for reason in r["reasons"])
    # Nothing was saved: the text was only read.
    assert not Article.objects.exists()


def test_what_the_article_already_uses_is_marked_and_not_read_as_words(archive, editor):
    plain = editor.post(SUGGEST, CAR_ARTICLE).json()["results"]
    used = plain[1]["id"]
    body = f"{CAR_ARTICLE['body']}\n[image:{used}]\nMore text follows."
    with_token = editor.post(SUGGEST, {**CAR_ARTICLE, "body": body}).json()["results"]
    plain_after = editor.post(
        SUGGEST, {**CAR_ARTICLE, "body": CAR_ARTICLE["body"] + "\n\nMore text follows."}
    ).json()["results"]
    assert [r["id"] for r in with_token] == [r["id"] for r in plain_after]
    marks = {r["id"]: r["in_article"] for r in with_token}
    assert marks[used] == "body"
    assert {v for k, v in marks.items() if k != used} == {None}


def test_the_current_lead_image_is_not_suggested_again(archive, editor):
    plain = editor.post(SUGGEST, CAR_ARTICLE).json()["results"]
    lead = plain[0]["id"]
    again = editor.post(SUGGEST, {**CAR_ARTICLE, "lead_image": lead}).json()["results"]
    assert lead not in [r["id"] for r in again]


def test_free_search_and_more_like_this(archive, editor):
    found = editor.get(SEARCH, {"q": "a cat", "limit": 5}).json()
    assert found["kind"] == "search" and found["query"] == "a cat"
    assert len(found["results"]) == 5
    cat = archive["animal_cat_chelsea.jpg"]
    assert found["results"][0]["id"] == cat

    similar = editor.get(similar_url(cat), {"limit": 4}).json()
    assert similar["image"]["id"] == cat and len(similar["results"]) == 4
    assert cat not in [r["id"] for r in similar["results"]]


def test_images_not_to_be_reused_never_reach_the_panel(archive, editor):
    from photodesk.models import ImageAnalysis

    found = editor.get(SEARCH, {"q": "a cat", "limit": 5}).json()["results"]
    forbidden, flagged = found[0]["id"], found[1]["id"]
    Image.objects.filter(pk=forbidden).update(rights=Image.Rights.FORBIDDEN)
    ImageAnalysis.objects.filter(image_id=flagged).update(flagged=True)

    again = [r["id"] for r in editor.get(SEARCH, {"q": "a cat", "limit": 5}).json()["results"]]
    assert forbidden not in again and flagged not in again
    other = archive["animal_raccoon_face.jpg"]
    similar = [r["id"] for r in editor.get(similar_url(other), {"limit": 30}).json()["results"]]
    assert forbidden not in similar and flagged not in similar


@pytest.mark.parametrize(
    "data, message",
    [
        ({"title": "", "body": "  "}, "Write a title or some text"),
        ({"title": "", "body": "[image:3]\n"}, "Write a title or some text"),
        ({**CAR_ARTICLE, "limit": "many"}, "Enter a whole number"),
        ({**CAR_ARTICLE, "limit": "500"}, "less than or equal to 50"),
        ({**CAR_ARTICLE, "lead_image": "x"}, "Enter a whole number"),
        ({**CAR_ARTICLE, "article": "999999"}, "There is no article 999999"),
        ({"title": "x" * 1001}, "at most 1000 characters"),
    ],
)
def test_bad_suggest_input_is_a_clear_400(editor, data, message):
    response = editor.post(SUGGEST, data)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_other_bad_input(archive, editor):
    assert editor.get(SEARCH).status_code == 400
    assert editor.get(SEARCH, {"q": "   "}).json()["error"] == "Type something to search."
    assert editor.get(SEARCH, {"q": "x" * 501}).status_code == 400
    assert editor.get(similar_url(archive["food_coffee_cup.jpg"]), {"limit": 0}).status_code == 400
    missing = editor.get(similar_url(999999))
    assert missing.status_code == 404 and missing.json()["error"] == "There is no image 999999."
    assert editor.get(SUGGEST).status_code == 405  # text goes in a POST body, not the URL
    assert editor.post(SEARCH, {"q": "cat"}).status_code == 405


def test_suggest_needs_the_csrf_token(django_user_model):
    user = django_user_model.objects.create_user("e2", "e2@example.com", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(SUGGEST, CAR_ARTICLE).status_code == 403


def test_only_staff_who_can_write_articles_use_the_panel(archive, client, django_user_model):
    cat = archive["animal_cat_chelsea.jpg"]
    urls = [SEARCH + "?q=cat", similar_url(cat), thumbnail_url(cat)]
    for url in [*urls, SUGGEST]:
        response = client.get(url)  # anonymous: the admin's login page
        assert response.status_code == 302 and "/admin/login/" in response["Location"]

    nobody = staff(django_user_model, "nobody")
    reader = staff(django_user_model, "reader", "view_article", "view_image")
    for denied in (nobody, reader):
        for url in urls[:2]:
            response = denied.get(url)
            assert response.status_code == 403
            assert response.json()["error"] == "You may not edit articles."
        assert denied.post(SUGGEST, CAR_ARTICLE).status_code == 403
    # A thumbnail only needs the right to see articles or images (the article list shows them).
    assert nobody.get(thumbnail_url(cat)).status_code == 403
    assert reader.get(thumbnail_url(cat)).status_code == 200

    writer = staff(django_user_model, "writer", "add_article")  # may write new articles
    assert writer.post(SUGGEST, CAR_ARTICLE).status_code == 200
    for url in urls:
        assert writer.get(url).status_code == 200


def test_the_thumbnail_is_a_small_cached_jpeg(archive, editor):
    cat = Image.objects.get(pk=archive["animal_cat_chelsea.jpg"])
    default_storage.delete(rendition_name(cat))
    response = editor.get(thumbnail_url(cat.pk))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=86400"
    data = b"".join(response)
    picture = PILImage.open(io.BytesIO(data))
    assert picture.format == "JPEG" and max(picture.size) == THUMBNAIL_SIZE
    assert abs(picture.width / picture.height - cat.width / cat.height) < 0.02
    assert len(data) < cat.file.size
    # Stored through the storage API, served from there next time, 304 when the browser has it.
    assert default_storage.exists(rendition_name(cat))
    assert b"".join(editor.get(thumbnail_url(cat.pk))) == data
    cached = editor.get(thumbnail_url(cat.pk), HTTP_IF_NONE_MATCH=response["ETag"])
    assert cached.status_code == 304
    assert editor.get(thumbnail_url(999999)).status_code == 404


def test_a_new_file_gets_a_new_thumbnail(editor):
    from .helpers import jpeg_bytes, make_image

    image = make_image(jpeg_bytes((250, 0, 0), size=(400, 200)), "red.jpg")
    red = PILImage.open(io.BytesIO(b"".join(editor.get(thumbnail_url(image.pk)))))
    assert red.size == (320, 160) and red.getpixel((10, 10))[0] > 200

    from django.core.files.base import ContentFile

    image.file.save("blue.jpg", ContentFile(jpeg_bytes((0, 0, 250), size=(200, 400))))
    blue = PILImage.open(io.BytesIO(b"".join(editor.get(thumbnail_url(image.pk)))))
    assert blue.size == (160, 320) and blue.getpixel((10, 10))[2] > 200


def test_a_file_that_is_not_an_image_has_no_thumbnail(editor):
    from django.core.files.base import ContentFile

    image = Image(original_filename="broken.jpg")
    image.file.save("broken.jpg", ContentFile(b"not a picture"), save=False)
    Image.objects.bulk_create([image])  # as if it had been stored by another system
    stored = Image.objects.get(original_filename="broken.jpg")
    assert editor.get(thumbnail_url(stored.pk)).status_code == 404


def test_the_editor_shows_the_panel_and_previews_the_lead_image(archive, editor, django_user_model):
    cat = archive["animal_cat_chelsea.jpg"]
    article = Article.objects.create(title="Cats", body="About cats.", lead_image_id=cat)
    html = editor.get(reverse("admin:cms_images_article_change", args=[article.pk])).content
    html = html.decode()
    assert 'id="pd-suggest"' in html and f'data-article="{article.pk}"' in html
    assert "semantic_search/suggest_panel.js" in html and 'aria-live="polite"' in html
    assert f'src="{thumbnail_url(cat)}"' in html  # the lead image's preview

    add_page = editor.get(reverse("admin:cms_images_article_add")).content.decode()
    assert 'id="pd-suggest"' in add_page and 'data-article=""' in add_page

    reader = staff(django_user_model, "reader", "view_article")
    page = reader.get(reverse("admin:cms_images_article_change", args=[article.pk]))
    assert page.status_code == 200 and 'id="pd-suggest"' not in page.content.decode()


def test_reasons_are_shown_as_text_whether_strings_or_structured():
    from photodesk.admin.suggest_panel import reason_dict

    assert reason_dict("label “car” (91%)") == {"kind": "match", "text": "label “car” (91%)"}
    assert reason_dict({"kind": "person", "text": "shows Ada Lovelace", "confidence": 0.9}) == {
        "kind": "person",
        "text": "shows Ada Lovelace",
    }


def test_the_article_list_shows_the_small_lead_thumbnail(archive, editor):
    cat = archive["animal_cat_chelsea.jpg"]
    Article.objects.create(title="Cats", body="About cats.", lead_image_id=cat)
    html = editor.get(reverse("admin:cms_images_article_changelist")).content.decode()
    assert f'src="{thumbnail_url(cat)}"' in html


@pytest.mark.parametrize(
    "metadata, expected",
    [
        ({"date_taken": "2019:05:01 10:11:12"}, "2019-05-01"),  # EXIF
        ({"date_created": "20180704"}, "2018-07-04"),  # IPTC
        ({"date_taken": "2019:13:45 00:00:00"}, None),  # impossible: fall back to "added"
        ({"date_taken": "unknown"}, None),
        ({}, None),
    ],
)
def test_the_card_date_is_when_the_photo_was_taken_if_known(metadata, expected):
    from photodesk.admin.suggest_panel import _date_taken

    taken = _date_taken(metadata)
    assert (taken.isoformat() if taken else None) == expected
