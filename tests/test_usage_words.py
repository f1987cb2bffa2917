"""Words from use: an article that uses a photo lends it its title and a short summary (weak
words, listed on the image page, removable by an editor); accepted tags are human words a
photo may lend, rejected ones never are."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from cms_images.models import Article
from photodesk.host import lending_text
from photodesk.labels.service import add_label, decide
from photodesk.models import ImageAnalysis, ImageLabel, Label, UsageWords
from photodesk.search.service import search_images
from photodesk.tasks import analyze_now

from .conftest import EVAL_PHOTOS, need
from .helpers import make_image

pytestmark = pytest.mark.django_db

DOG = "flickr8k_1009434119_febe49276a.jpg"
BEDROOM = "coco_val2017_000000010092.jpg"
TITLE = "Volunteers honoured at Zermatt ceremony"
BODY = (
    "Mountain rescue volunteers were honoured on Saturday. The ceremony in Zermatt drew "
    "hundreds of guests. Their dogs found four walkers lost in the snow last winter."
)
QUERY = "Zermatt volunteers"


@pytest.fixture
def photos(settings, separate_index):
    """Two uncaptioned photos analysed by the classifier and the metadata reader (faster);
    tasks run inline."""
    need((EVAL_PHOTOS / "images").is_dir(), "../shared/photos/eval is missing")
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "ANALYZE_SYNC": True,
        "ANALYZERS": [
            "photodesk.analysis.analyzers.metadata.MetadataAnalyzer",
            "photodesk.analysis.analyzers.labels.LabelAnalyzer",
        ],
    }
    found = {}
    for name in (DOG, BEDROOM):
        image = make_image((EVAL_PHOTOS / "images" / name).read_bytes(), name=name)
        analyze_now(image)
        found[name] = image
    return found


def used_reasons(image_id: int, query: str = QUERY) -> list[str]:
    results = search_images(query, limit=10)
    result = next((r for r in results if r.image.pk == image_id), None)
    return [] if result is None else [r.text for r in result.reasons if r.kind == "used"]


def save(article, capture) -> None:
    with capture(execute=True):
        article.save()


def test_a_photo_used_in_an_article_is_found_by_its_title_until_it_leaves(
    photos, django_capture_on_commit_callbacks
):
    dog, bedroom = photos[DOG], photos[BEDROOM]
    assert used_reasons(dog.pk) == []
    before = ImageAnalysis.objects.get(image=dog).vector

    article = Article(title=TITLE, body=BODY, lead_image=dog)
    save(article, django_capture_on_commit_callbacks)

    row = UsageWords.objects.get(image=dog)
    assert row.source == f"used in “{TITLE}”" and "Zermatt" in row.summary
    assert len(row.summary) <= 400
    assert not UsageWords.objects.filter(image=bedroom).exists()
    analysis = ImageAnalysis.objects.get(image=dog)
    assert f"used in “{TITLE}”" in analysis.description
    assert analysis.vector @ before < 0.999  # the words entered its vector
    results = search_images(QUERY, limit=10)
    assert results[0].image.pk == dog.pk
    assert used_reasons(dog.pk) == [f"used in “{TITLE}”"]

    # Inserted in the body instead of the lead: the words move with it.
    article.lead_image = None
    article.body = f"{BODY}\n[image:{bedroom.pk}]"
    save(article, django_capture_on_commit_callbacks)
    assert list(UsageWords.objects.values_list("image_id", flat=True)) == [bedroom.pk]
    assert used_reasons(dog.pk) == []
    assert "used in" not in ImageAnalysis.objects.get(image=dog).description
    assert search_images(QUERY, limit=1)[0].image.pk == bedroom.pk

    with django_capture_on_commit_callbacks(execute=True):
        article.delete()  # a deleted article's words go with it
    assert not UsageWords.objects.exists()


def test_an_editors_removal_sticks_when_the_article_is_saved_again(
    photos, client, django_capture_on_commit_callbacks
):
    dog = photos[DOG]
    article = Article(title=TITLE, body=BODY, lead_image=dog)
    save(article, django_capture_on_commit_callbacks)
    row = UsageWords.objects.get(image=dog)
    page = reverse("admin:cms_images_image_change", args=[dog.pk])
    remove = reverse("admin:semantic_search_usage_remove", args=[row.pk])

    journalist = User.objects.create_user("jo", password="pw", is_staff=True)
    from django.contrib.auth.models import Permission

    journalist.user_permissions.add(Permission.objects.get(codename="view_image"))
    client.force_login(journalist)
    html = client.get(page).content.decode()
    assert f"used in “{TITLE}”" in html and remove not in html  # listed, no button
    assert client.post(remove).status_code == 403
    assert UsageWords.objects.active().filter(pk=row.pk).exists()

    editor = User.objects.create_superuser("ed", password="pw")
    client.force_login(editor)
    html = client.get(page).content.decode()
    assert remove in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove)
    assert response.status_code == 302 and response.url == page
    row.refresh_from_db()
    assert row.removed_at is not None and row.removed_by == editor
    assert used_reasons(dog.pk) == []
    assert "used in" not in ImageAnalysis.objects.get(image=dog).description

    article.title = f"{TITLE}, again"
    save(article, django_capture_on_commit_callbacks)
    assert not UsageWords.objects.active().exists()  # still removed, as a tombstone
    assert used_reasons(dog.pk, "Zermatt again") == []
    assert "removed by ed" in client.get(page).content.decode()


def test_the_api_image_detail_shows_the_words_from_use(
    photos, client, django_capture_on_commit_callbacks
):
    dog = photos[DOG]
    save(Article(title=TITLE, body=BODY, lead_image=dog), django_capture_on_commit_callbacks)
    client.force_login(User.objects.create_superuser("ed", password="pw"))
    detail = client.get(reverse("photodesk-api:image-detail", args=[dog.pk])).json()
    [words] = detail["usage_words"]
    assert words["source"] == f"used in “{TITLE}”"
    assert words["article_type"] == "cms_images.article"


def test_accepted_tags_are_lent_and_rejected_ones_never(photos):
    dog = photos[DOG]
    dog.caption = "A collie on the lawn"
    dog.save()
    analysis = ImageAnalysis.objects.get(image=dog)
    analysis.photo_metadata = {**analysis.photo_metadata, "keywords": ["sheepdog", "lawn"]}
    editor = User.objects.create_user("ed")
    accepted = add_label(dog, Label.objects.create(name="Border collie"), editor)
    rejected_label = Label.objects.create(name="Sheepdog")
    rejected = ImageLabel.objects.create(
        image=dog, label=rejected_label, confidence=80, source="test", state="review"
    )
    decide(rejected, ImageLabel.State.REJECTED, editor)

    text = lending_text(dog, analysis)
    assert "A collie on the lawn" in text and accepted.label.name in text
    assert "sheepdog" not in text.casefold()  # neither the tag nor the IPTC keyword
    assert "lawn" in text

    decide(accepted, ImageLabel.State.REJECTED, editor)
    assert "Border collie" not in lending_text(dog, analysis)


@pytest.mark.worker
def test_a_real_worker_brings_an_articles_words_to_its_photo(archive, worker):
    """The article's save commits, the worker syncs its words and re-indexes only its photo."""
    image_id = archive["animal_cat_chelsea.jpg"]
    article = Article.objects.create(title=TITLE, body=BODY, lead_image_id=image_id)
    try:
        row = worker.wait_for(lambda: UsageWords.objects.filter(image_id=image_id).first())
        assert row is not None and row.title == TITLE, worker.log_tail()
        hits = worker.wait_for(lambda: search_images(QUERY, limit=5))
        assert [h.image.pk for h in hits] == [image_id], worker.log_tail()  # nothing else
        assert [r.text for r in hits[0].reasons if r.kind == "used"] == [f"used in “{TITLE}”"]

        article.lead_image = None
        article.save()
        gone = worker.wait_for(lambda: not UsageWords.objects.filter(image_id=image_id).exists())
        assert gone, worker.log_tail()
        assert worker.wait_for(lambda: not used_reasons(image_id)), worker.log_tail()
    finally:
        Article.objects.filter(pk=article.pk).delete()
