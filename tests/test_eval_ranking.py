"""Ranking on real eval photos: the fused ranking beats each side alone on Recall@10.

A subset of ../shared/photos/eval is analysed once for this module (labels only: the facts
search uses here), each photo with its first human caption as the newsroom's caption, in a
private index; the other captions are the queries, whose right answer is their photo. The rows
are removed afterwards so the session's demo archive stays as it was.
"""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from semantic_search.index import Filters
from semantic_search.ranking import RankingOptions
from semantic_search.search import search_images

from .conftest import EVAL_PHOTOS, need
from .helpers import make_image

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EVERY = 8  # 55 of the 440 photos, mixed MS-COCO and Flickr8k (in file order)


@pytest.fixture(scope="module")
def eval_subset(django_db_setup, django_db_blocker, tmp_path_factory):
    need((EVAL_PHOTOS / "captions.jsonl").is_file(), "../shared/photos/eval is missing")
    from django.conf import settings

    from semantic_search import pipeline

    rows = [json.loads(line) for line in (EVAL_PHOTOS / "captions.jsonl").open()][::EVERY]
    photodesk = {
        **settings.PHOTODESK,
        "INDEX_PATH": tmp_path_factory.mktemp("eval-index"),
        "ANALYZERS": [
            "semantic_search.analyzers.metadata.MetadataAnalyzer",
            "semantic_search.analyzers.labels.LabelAnalyzer",
        ],
    }
    with django_db_blocker.unblock(), override_settings(PHOTODESK=photodesk):
        images = []
        try:
            for row in rows:
                data = (EVAL_PHOTOS / "images" / row["file"]).read_bytes()
                image = make_image(data, name=f"eval_{row['file']}", caption=row["captions"][0])
                images.append(image)
                pipeline.analyze(image)
            queries = [
                (c, image.pk)
                for row, image in zip(rows, images, strict=True)
                for c in row["captions"][1:]
            ]
            yield {"ids": {image.pk for image in images}, "queries": queries}
        finally:
            from cms_images.models import Image

            Image.objects.filter(pk__in=[image.pk for image in images]).delete()


def recall_at_10(eval_subset, options: RankingOptions) -> float:
    only = Filters(include_ids=eval_subset["ids"])
    found = 0
    for query, answer in eval_subset["queries"]:
        ranked = [r.image.pk for r in search_images(query, limit=10, filters=only, options=options)]
        found += answer in ranked
    return found / len(eval_subset["queries"])


def test_fused_ranking_beats_each_side_alone_on_recall_at_10(eval_subset):
    # The module fixture's settings (its private index) are in force here.
    fused = recall_at_10(eval_subset, RankingOptions.for_search())
    vector = recall_at_10(eval_subset, RankingOptions.for_search(use_keywords=False))
    keywords = recall_at_10(eval_subset, RankingOptions.for_search(use_vectors=False))
    assert fused > vector and fused > keywords, (fused, vector, keywords)
