"""The host adapter (photodesk.host): how Photodesk reads a site's images and articles through
settings alone, or a Host subclass, and what the suggest panel does with another site's
choices (field names, the token "Insert into body" writes, thumbnails)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from photodesk.host import Host, host

pytestmark = pytest.mark.django_db


def configure(settings, **options) -> None:
    settings.PHOTODESK = {**settings.PHOTODESK, **options}


def test_article_text_is_plain_words_without_markup_or_image_tokens():
    article = SimpleNamespace(
        title="Rail &amp; road",
        body=(
            "<h2>New line</h2><p>Trains run <strong>faster</strong>.</p>[image:7]"
            "<p>Buses&nbsp;too.</p><ul><li>One</li><li>Two</li></ul>"
        ),
        lead_image_id=None,
    )
    title, body = host().article_text(article)
    assert title == "Rail & road"
    assert body.split() == [
        "New",
        "line",
        "Trains",
        "run",
        "faster.",
        "Buses",
        "too.",
        "One",
        "Two",
    ]
    assert "line\n" in body  # blocks stay apart: "line" and "Trains" are not one word
    # Plain text is kept as written (only the tokens go), comparison signs included.
    plain = SimpleNamespace(title="a < b", body="First line.\n[image:3]\nSecond > first.")
    assert host().article_text(plain) == ("a < b", "First line.\n \nSecond > first.")


def test_articles_and_images_without_the_fields_read_as_empty(settings):
    bare = SimpleNamespace(pk=1)
    assert host().article_text(bare) == ("", "")
    assert host().article_images(bare) == set()
    configure(settings, IMAGE_FIELDS={"credit": None, "added": "taken_on"})
    from cms_images.models import Image

    image = Image(pk=5, title="", credit="Reuters", rights="editorial")
    assert host().image_credit(image) == ""  # mapped to nothing
    assert host().image_added(image) is None  # no such field
    assert host().image_caption(SimpleNamespace()) == ""
    assert host().image_rights(SimpleNamespace()) is None
    assert host().rights_label(SimpleNamespace()) == ""


def test_image_fields_are_read_by_role(settings):
    from cms_images.models import Image

    added = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
    image = Image(
        pk=9,
        title="",
        caption="A tram",
        credit="AP",
        copyright="© City",
        rights="restricted",
        created=added,
        original_filename="tram.jpg",
    )
    site = host()
    assert site.image_title(image) == "tram.jpg"  # no title: the file name
    assert (site.image_caption(image), site.image_credit(image)) == ("A tram", "AP")
    assert site.image_rights(image) == "restricted"
    assert site.rights_label(image) == "Ask before reuse"
    assert site.reusable_rights() == {"unrestricted", "editorial", "restricted"}
    assert site.image_added(image) == added
    assert site.thumbnail_url(image) == reverse("admin:semantic_search_thumbnail", args=[9])
    assert site.image_admin_url(image) == reverse("admin:cms_images_image_change", args=[9])

    # Another site's names: its credit is in "copyright", and it has no rights.
    configure(settings, IMAGE_FIELDS={"credit": "copyright", "rights": "no_such_field"})
    assert host().image_credit(image) == "© City"
    assert host().image_rights(image) is None and host().reusable_rights() is None


def test_article_fields_and_the_image_token_come_from_the_settings(settings):
    configure(
        settings,
        ARTICLE_FIELDS={"title": "headline", "body": "text", "lead_image": "hero"},
        ARTICLE_IMAGE_TOKEN='<img data-photo="{id}">',
    )
    story = SimpleNamespace(
        headline="Harbour opens",
        text='<p>Ships.</p><img data-photo="12"><p>Cranes.</p><img data-photo="4">',
        hero_id=3,
    )
    assert host().article_text(story) == ("Harbour opens", "Ships.\n Cranes.\n ")
    assert host().article_images(story) == {3, 4, 12}
    assert host().image_token(8) == '<img data-photo="8">'
    # A lead image given as an object (no *_id attribute) counts too.
    assert host().article_images(SimpleNamespace(text="", hero=SimpleNamespace(pk=6))) == {6}


def test_the_article_model_setting_and_its_old_name(settings):
    from cms_images.models import Article

    configure(settings, ARTICLE_MODEL=None, API_ARTICLE_MODEL=None)
    assert host().article_model() is None
    configure(settings, ARTICLE_MODEL=None, API_ARTICLE_MODEL="cms_images.Article")
    assert host().article_model() is Article


class FixedCreditHost(Host):
    """A site whose credits live elsewhere and whose thumbnails come from a CDN."""

    def image_credit(self, image) -> str:
        return "Photo desk archive"

    def thumbnail_url(self, image) -> str:
        return f"https://cdn.example/{image.pk}.jpg"


def test_a_host_subclass_named_in_the_settings_is_used_and_forgotten_on_change(settings):
    configure(settings, HOST="tests.test_host.FixedCreditHost")
    assert isinstance(host(), FixedCreditHost)
    configure(settings, HOST="photodesk.host.Host")
    assert type(host()) is Host


@pytest.fixture
def editor(django_user_model) -> Client:
    user = django_user_model.objects.create_superuser("chief", "c@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_the_panel_follows_the_host_and_the_token_setting(archive, editor, settings):
    configure(
        settings, HOST="tests.test_host.FixedCreditHost", ARTICLE_IMAGE_TOKEN="{{photo {id}}}"
    )
    suggest = reverse("admin:cms_images_article_suggest")
    text = {"title": "A cat on the sofa", "body": "<p>The cat sleeps all day.</p>"}
    plain = editor.post(suggest, text).json()["results"]
    used = plain[1]["id"]
    assert {r["credit"] for r in plain} == {"Photo desk archive"}
    assert plain[0]["thumbnail"] == f"https://cdn.example/{plain[0]['id']}.jpg"

    body = f"<p>The cat sleeps all day.</p>{{photo {used}}}"
    marked = editor.post(suggest, {**text, "body": body}).json()["results"]
    assert [r["id"] for r in marked] == [r["id"] for r in plain]  # the token is not words
    assert {r["id"]: r["in_article"] for r in marked}[used] == "body"
    assert editor.post(suggest, {"title": "", "body": f"{{photo {used}}}"}).status_code == 400

    page = editor.get(reverse("admin:cms_images_article_add")).content.decode()
    assert 'data-image-token="{photo {id}}"' in page
    assert 'data-title-field="id_title"' in page and 'data-lead-field="id_lead_image"' in page
