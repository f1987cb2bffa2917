"""WagtailHost reads a Wagtail site: a page's text (Draftail rich text, StreamField) as plain
text, the images it already shows, where images are used (ReferenceIndex), renditions as
thumbnails. And the system checks find the site set up right."""

from __future__ import annotations

import json

from django.core import checks

from photodesk.contrib.wagtail.host import WagtailHost
from photodesk.contrib.wagtail.usage import last_used
from tests.conftest import DEMO_PHOTOS
from tests.wagtail_site.conftest import add_image
from tests.wagtail_site.models import ArticlePage, StreamArticlePage

host = WagtailHost()


def test_text_and_images_of_a_rich_text_page(home):
    photo, lead = (
        add_image(DEMO_PHOTOS / "food_coffee_cup.jpg"),
        add_image(DEMO_PHOTOS / "sklearn_flower.jpg"),
    )
    page = ArticlePage(
        title="Café owners & growers",
        lead_image=lead,
        body=(
            "<h2>Beans</h2><p>Prices <b>rose</b> &amp; fell.</p>"
            f'<embed embedtype="image" id="{photo.pk}" format="fullwidth" alt="cup"/>'
            "<ul><li>Arabica</li><li>Robusta</li></ul>"
        ),
    )
    home.add_child(instance=page)
    title, body = host.article_text(page)
    assert title == "Café owners & growers"
    assert body.split() == ["Beans", "Prices", "rose", "&", "fell.", "Arabica", "Robusta"]
    assert host.article_images(page) == {photo.pk, lead.pk}


def test_text_and_images_of_a_streamfield_page(home):
    photo = add_image(DEMO_PHOTOS / "food_coffee_cup.jpg")
    page = StreamArticlePage(
        title="Harvest",
        body=json.dumps(
            [
                {"type": "heading", "value": "A good year"},
                {"type": "paragraph", "value": "<p>The <i>rain</i> came early.</p>"},
                {"type": "image", "value": photo.pk},
            ]
        ),
    )
    home.add_child(instance=page)
    assert host.article_text(page) == ("Harvest", "A good year\nThe rain came early.")
    assert host.article_images(page) == {photo.pk}


def test_usage_comes_from_wagtails_reference_index(home):
    used, unused = (
        add_image(DEMO_PHOTOS / "food_coffee_cup.jpg"),
        add_image(DEMO_PHOTOS / "sklearn_flower.jpg"),
    )
    page = home.add_child(instance=ArticlePage(title="Coffee", lead_image=used))
    page.save_revision().publish()
    page.refresh_from_db()
    assert last_used([used.pk, unused.pk]) == {used.pk: page.last_published_at}
    assert host.last_used([used.pk]) == {used.pk: page.last_published_at}


def test_thumbnails_are_wagtail_renditions(db):
    image = add_image(DEMO_PHOTOS / "food_coffee_cup.jpg")
    url = host.thumbnail_url(image)
    assert ".max-320x240." in url
    assert image.renditions.filter(filter_spec="max-320x240").exists()
    assert host.image_admin_url(image) == f"/admin/images/{image.pk}/"
    assert host.image_added(image) == image.created_at


def test_the_site_passes_its_checks():
    messages = checks.run_checks()
    assert not [m for m in messages if m.id and m.id.startswith("photodesk")], messages


def test_a_published_page_lends_its_title_to_the_images_it_shows(
    home, settings, django_capture_on_commit_callbacks
):
    from photodesk.models import UsageWords

    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}
    lead = add_image(DEMO_PHOTOS / "sklearn_flower.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        page = home.add_child(instance=ArticlePage(title="Spring in the park", lead_image=lead))
        page.save_revision().publish()
    [row] = UsageWords.objects.all()
    assert (row.image_id, row.title, row.article_id) == (
        lead.pk,
        "Spring in the park",
        str(page.pk),
    )
    assert row.source == "used in “Spring in the park”"


def test_the_insights_date_filter_reads_wagtails_upload_time(db):
    """Wagtail's image keeps when it was uploaded in `created_at` and has no rights field:
    the dashboard's day filter and ingest chart read it, and a rights filter is ignored."""
    import datetime as dt

    from django.utils import timezone

    from photodesk.insights import queries
    from photodesk.insights.filters import Filters

    image = add_image(DEMO_PHOTOS / "food_coffee_cup.jpg")
    today = timezone.localdate()
    assert host.image_added(image) == image.created_at
    assert host.image_field_present("rights") is None
    this_day = Filters(start=today, end=today, rights=("editorial",))
    added_today = set(type(image).objects.filter(this_day.q()).values_list("pk", flat=True))
    assert image.pk in added_today  # other tests' images may be there too
    assert queries.ingest_per_day(this_day) == [
        {"day": today.isoformat(), "images": len(added_today)}
    ]
    yesterday = today - dt.timedelta(days=1)
    on_yesterday = type(image).objects.filter(Filters(start=yesterday, end=yesterday).q())
    assert not on_yesterday.filter(pk=image.pk).exists()


def test_a_title_that_only_repeats_the_file_name_is_not_human_words(db):
    """Wagtail's upload form titles an image with its file name: those are not words a person
    wrote about the picture, so they are neither searched as a caption nor lent to look-alikes."""
    from photodesk.host import lending_text, written_text
    from photodesk.models import ImageAnalysis

    uploaded = add_image(DEMO_PHOTOS / "people_astronaut_eileen_collins.jpg")
    again = add_image(DEMO_PHOTOS / "people_astronaut_eileen_collins.jpg")
    assert uploaded.title == again.title == "people astronaut eileen collins"
    assert again.file.name != uploaded.file.name  # storage gave the second a suffix
    written = add_image(DEMO_PHOTOS / "food_coffee_cup.jpg", title="Espresso at the harbour café")
    analysis = ImageAnalysis(photo_metadata={})
    for image in (uploaded, again):
        assert written_text(image, analysis) == ""
        assert lending_text(image, analysis) == ""
    assert written_text(written, analysis) == "Espresso at the harbour café"
