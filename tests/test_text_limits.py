"""Long text cannot weigh on Photodesk: captions are limited in the model and the API (a
clear 400, nothing stored), list rows carry a short caption, and embedded IPTC text is cut
before it reaches the image's fields, label matching and the vectors."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from photodesk import tasks
from photodesk.host import MAX_TEXT_CHARS, written_text
from photodesk.labels.service import text_candidates
from photodesk.models import ImageAnalysis, Label

from .api_support import *  # noqa: F403
from .api_support import encoded
from .conftest import DEMO_PHOTOS
from .helpers import IPTC_CAPTION, jpeg_with_iptc, make_image

pytestmark = pytest.mark.django_db

IMAGES = reverse("photodesk-api:image-list")
HUGE = "harbour " * 900_000  # 7.2 MB


def test_a_7_mb_caption_is_refused_with_the_field_named_and_nothing_stored(api, settings, tmp_path):
    from cms_images.models import Image

    settings.MEDIA_ROOT = tmp_path / "media"
    client = api("journalist")
    # Other tests' committed archives may share the database: count, do not expect it empty.
    before = Image.objects.count(), ImageAnalysis.objects.count()
    file = SimpleUploadedFile("harbour.png", encoded("PNG"), "image/png")
    response = client.post(IMAGES, {"file": file, "caption": HUGE}, format="multipart")
    assert response.status_code == 400, response.content[:200]
    assert "5000 characters" in " ".join(response.json()["caption"])
    assert (Image.objects.count(), ImageAnalysis.objects.count()) == before
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.png"))

    image = make_image(encoded("PNG"), name="kept.png", caption="Harbour at dawn")
    url = reverse("photodesk-api:image-detail", args=[image.pk])
    refused = api("reviewer").patch(url, {"caption": HUGE}, format="json")
    assert refused.status_code == 400 and "caption" in refused.json()
    image.refresh_from_db()
    assert image.caption == "Harbour at dawn"


def test_list_rows_carry_a_short_caption_and_the_image_all_of_it(api, separate_index):
    caption = "A long caption about the harbour bridge works. " * 100  # 4,700 characters
    image = make_image(encoded("PNG"), name="long.png", caption=caption)
    client = api("journalist")
    (row,) = [r for r in client.get(IMAGES).json()["results"] if r["id"] == image.pk]
    assert len(row["caption"]) <= 301 and row["caption"].endswith("…")
    url = reverse("photodesk-api:image-detail", args=[image.pk])
    assert client.get(url).json()["caption"] == caption


def jpeg_with_iptc_caption(caption: str) -> bytes:
    return jpeg_with_iptc(DEMO_PHOTOS / "coco_000000098392.jpg", [(IPTC_CAPTION, caption)])


def test_an_embedded_caption_of_32_kb_is_stored_cut_and_matched_fast(separate_index, settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}
    embedded = " ".join(f"word{n} harbour" for n in range(2_400))[:32_000]  # distinct words
    image = make_image(jpeg_with_iptc_caption(embedded), name="stuffed.jpg")
    analysis = tasks.analyze_now(image)
    assert analysis.status == ImageAnalysis.Status.DONE
    # The facts keep what a caption needs, and the image's own URL returns that.
    assert analysis.photo_metadata["caption"] == embedded[:MAX_TEXT_CHARS]
    image.refresh_from_db()
    assert image.caption == embedded[:5000]  # the model's max_length
    text = written_text(image, analysis)
    assert len(text) <= 3 * MAX_TEXT_CHARS
    started = time.perf_counter()
    text_candidates(image, analysis, list(Label.objects.all()))
    assert time.perf_counter() - started < 2


def test_the_image_url_returns_the_capped_caption_and_panel_cards_its_start(api, separate_index):
    from photodesk.admin.suggest_panel import cards
    from photodesk.search.service import search_images

    embedded = "Harbour cranes unload containers at dawn. " * 500  # 21,000 characters
    image = make_image(jpeg_with_iptc_caption(embedded), name="cranes.jpg")
    tasks.analyze_now(image)
    url = reverse("photodesk-api:image-detail", args=[image.pk])
    metadata = api("journalist").get(url).json()["metadata"]
    assert metadata["caption"] == embedded[:MAX_TEXT_CHARS]

    (card,) = [c for c in cards(search_images("harbour cranes", limit=5)) if c["id"] == image.pk]
    assert len(card["caption"]) <= 301 and card["caption"].endswith("…")
    assert embedded.startswith(card["caption"][:-1])


@pytest.mark.parametrize("backend", ["embedded", "opensearch"])
def test_a_body_of_random_words_gets_suggestions_from_either_index(backend, settings, tmp_path):
    import random

    from photodesk.analysis.embedding import embedder
    from photodesk.search.index import IndexDocument, get_index
    from photodesk.search.service import MAX_KEYWORD_TERMS, suggest_for_text
    from photodesk.search.text.tokens import bounded_terms, tokens

    from .opensearch_support import drop, new_alias, require_node, use_opensearch

    alias = None
    if backend == "opensearch":
        require_node()
        alias = new_alias()
        use_opensearch(settings, alias)
    else:
        settings.PHOTODESK = {**settings.PHOTODESK, "INDEX_PATH": tmp_path / "index"}
    try:
        import numpy as np

        vector = np.ones(embedder().dimension, np.float32)
        get_index().replace_all([IndexDocument(1, vector / np.linalg.norm(vector), {})])
        rng = random.Random(20)
        letters = "abcdefghijklmnopqrstuvwxyz"
        body = " ".join("".join(rng.choices(letters, k=7)) for _ in range(6000))  # ~50k chars
        assert suggest_for_text("Council meeting", body) == []  # answered, not a 503
        assert len(set(tokens(bounded_terms(body, MAX_KEYWORD_TERMS)))) == MAX_KEYWORD_TERMS
    finally:
        if alias:
            drop(alias)
