"""Bedrock Titan text embeddings as the text embedder: the request Titan expects, vectors of
the configured dimension, and that dimension in the search index (a real OpenSearch node)."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image as PILImage

from photodesk import tasks
from photodesk.analysis import embedding
from photodesk.analysis.decode import decode
from photodesk.aws.bedrock import TitanTextEmbedder
from photodesk.models import ImageAnalysis
from photodesk.search.index import get_index
from photodesk.search.index.opensearch import OpenSearchIndex
from photodesk.search.service import search_images

from .aws_support import (
    AWS_TEST_SETTINGS,
    REKOGNITION_ANALYZERS,
    clear_titan_caches,
    detect_labels,
    stubbed,
    throttle,
    titan_embedding,
)
from .conftest import DEMO_PHOTOS
from .helpers import make_image
from .opensearch_support import drop, new_alias, require_node, use_opensearch

BEDROCK = "photodesk.aws.bedrock.titan_text_embedder"


def unit(seed: int, dimension: int) -> list[float]:
    vector = np.random.default_rng(seed).normal(size=dimension)
    return (vector / np.linalg.norm(vector)).round(6).tolist()


def titan_request(text: str, dimension: int) -> dict:
    return {
        "modelId": "amazon.titan-embed-text-v2:0",
        "body": json.dumps({"inputText": text, "dimensions": dimension, "normalize": True}),
        "contentType": "application/json",
        "accept": "application/json",
    }


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test sees the requests its texts make (the process cache would hide repeats)."""
    clear_titan_caches()


@pytest.fixture
def titan(settings):
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        **AWS_TEST_SETTINGS,
        "TEXT_EMBEDDER": BEDROCK,
        "AWS_BEDROCK_DIMENSION": 256,
    }


def test_titan_embeds_each_text_once_normalised_after_throttling(titan):
    model = embedding.embedder()
    assert isinstance(model, TitanTextEmbedder) and embedding.embedding_dimension() == 256
    assert embedding.embedding_model_name().startswith("amazon.titan-embed-text-v2:0@256d/")
    with stubbed("bedrock-runtime") as stubs:
        stub = stubs["bedrock-runtime"]
        throttle(stub, "invoke_model")
        stub.add_response(
            "invoke_model", titan_embedding(unit(1, 256)), titan_request("flooded street", 256)
        )
        stub.add_response(
            "invoke_model", titan_embedding(unit(2, 256)), titan_request("a brass band", 256)
        )
        vectors = model.predict(["flooded street", "a brass band", "flooded street"])
    assert vectors.shape == (3, 256) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    assert np.array_equal(vectors[0], vectors[2])  # the repeat came from the cache


def test_a_wrong_dimension_is_a_clear_error(titan, settings):
    with stubbed("bedrock-runtime") as stubs:
        stubs["bedrock-runtime"].add_response("invoke_model", titan_embedding(unit(1, 1024)))
        with pytest.raises(ValueError, match="returned 1024 dimensions, not 256"):
            embedding.embedder().predict(["something new"])
    settings.PHOTODESK = {**settings.PHOTODESK, "AWS_BEDROCK_DIMENSION": 300}
    with pytest.raises(ValueError, match="must be one of"):
        embedding.embedder()


@pytest.mark.django_db
def test_the_index_is_made_for_titans_dimension_and_search_works(titan, settings, separate_index):
    require_node()
    alias = new_alias()
    use_opensearch(settings, alias)
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZERS": REKOGNITION_ANALYZERS[:2]}
    try:
        index = get_index()
        assert isinstance(index, OpenSearchIndex) and index.dimension == 256
        photo = DEMO_PHOTOS / "animal_cat_chelsea.jpg"
        image = make_image(photo.read_bytes(), photo.name)
        cat = unit(7, 256)
        with stubbed("rekognition", "bedrock-runtime") as stubs:
            stubs["rekognition"].add_response(
                "detect_labels", detect_labels(("Cat", 98.0, ["Animal"], []))
            )
            stubs["bedrock-runtime"].add_response(
                "invoke_model", titan_embedding(cat), titan_request("a photo of cat", 256)
            )
            analysis = tasks.analyze_now(image, force=True)
            assert analysis.status == ImageAnalysis.Status.DONE, analysis.error
            assert analysis.vector.shape == (256,)
            live = get_index().client.indices.get_mapping(index=alias)
            (mapping,) = live.values()
            assert mapping["mappings"]["properties"]["vector"]["dimension"] == 256
            stubs["bedrock-runtime"].add_response(
                "invoke_model", titan_embedding(cat), titan_request("my cat", 256)
            )
            results = search_images("my cat", limit=5)
        assert results and results[0].image.pk == image.pk
    finally:
        drop(alias)


@pytest.mark.django_db
def test_switching_to_titan_reembeds_from_stored_facts_without_calling_rekognition(
    settings, separate_index, capsys
):
    from django.core.management import call_command

    from photodesk.search.index.base import IndexUnavailable

    settings.PHOTODESK = {
        **settings.PHOTODESK,
        **AWS_TEST_SETTINGS,
        "ANALYZERS": REKOGNITION_ANALYZERS[:2],
    }
    # This image alone in the archive (the session's demo archive comes back after the test).
    ImageAnalysis.objects.all().delete()
    photo = DEMO_PHOTOS / "animal_cat_chelsea.jpg"
    image = make_image(photo.read_bytes(), photo.name)
    with stubbed("rekognition") as stubs:  # analysed with the local MiniLM embedder
        stubs["rekognition"].add_response(
            "detect_labels", detect_labels(("Cat", 98.0, ["Animal"], []))
        )
        assert tasks.analyze_now(image, force=True).vector.shape == (384,)

    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "TEXT_EMBEDDER": BEDROCK,
        "AWS_BEDROCK_DIMENSION": 256,
    }
    with (
        pytest.raises(IndexUnavailable, match="run `manage.py reindex --re-embed`"),
        stubbed("bedrock-runtime") as stubs,
    ):
        stubs["bedrock-runtime"].add_response("invoke_model", titan_embedding(unit(3, 256)))
        search_images("cat")  # a 256-d query against the 384-d index: a clear error

    cat = unit(7, 256)
    with stubbed("rekognition", "bedrock-runtime") as stubs:  # nothing for Rekognition
        stubs["bedrock-runtime"].add_response(
            "invoke_model", titan_embedding(cat), titan_request("a photo of cat", 256)
        )
        call_command("reindex", re_embed=True, no_progress=True)
    assert "Indexed 1 images." in capsys.readouterr().out
    analysis = ImageAnalysis.objects.get(image=image)
    assert analysis.vector.shape == (256,)
    assert analysis.embedding_model.startswith("amazon.titan-embed-text-v2:0@256d")
    assert analysis.labels[0]["name"] == "Cat"  # the facts are untouched
    with stubbed("bedrock-runtime") as stubs:
        stubs["bedrock-runtime"].add_response(
            "invoke_model", titan_embedding(cat), titan_request("kitty", 256)
        )
        assert search_images("kitty")[0].image.pk == image.pk  # by meaning: no word matches


@pytest.mark.django_db
def test_titan_multimodal_embeds_the_image_itself_so_a_query_finds_it_by_what_it_shows(
    settings, separate_index
):
    from botocore.stub import ANY

    settings.PHOTODESK = {
        **settings.PHOTODESK,
        **AWS_TEST_SETTINGS,
        "TEXT_EMBEDDER": BEDROCK,
        "AWS_BEDROCK_EMBEDDING_MODEL": "amazon.titan-embed-image-v1",
        "AWS_BEDROCK_DIMENSION": 384,
        "ANALYZERS": [
            "photodesk.analysis.analyzers.metadata.MetadataAnalyzer",
            "photodesk.analysis.analyzers.aws.BedrockImageEmbeddingAnalyzer",
        ],
    }
    photo = DEMO_PHOTOS / "science_spacex_falcon9_rocket.jpg"
    other = DEMO_PHOTOS / "food_coffee_cup.jpg"
    rocket, cup = unit(11, 384), unit(12, 384)
    images, bodies = [], []
    with stubbed("bedrock-runtime") as stubs:
        stubs["bedrock-runtime"].client.meta.events.register(
            "before-parameter-build.bedrock-runtime.InvokeModel",
            lambda params, **kwargs: bodies.append(json.loads(params["body"])),
        )
        for path, vector in ((photo, rocket), (other, cup)):
            stubs["bedrock-runtime"].add_response(
                "invoke_model",
                titan_embedding(vector),
                {
                    "modelId": "amazon.titan-embed-image-v1",
                    "body": ANY,  # {"inputImage": base64 JPEG, "embeddingConfig": {...}}
                    "contentType": "application/json",
                    "accept": "application/json",
                },
            )
            image = make_image(path.read_bytes(), path.name)
            analysis = tasks.analyze_now(image, force=True)
            assert analysis.status == ImageAnalysis.Status.DONE, analysis.error
            assert np.allclose(
                np.frombuffer(analysis.image_embedding, np.float32), vector, atol=1e-6
            )
            assert analysis.model_versions["image_embedding"] == {
                "amazon.titan-embed-image-v1": "384d"
            }
            images.append(image)
        near_rocket = np.array(rocket) + 0.3 * np.array(unit(13, 384))
        stubs["bedrock-runtime"].add_response(
            "invoke_model",
            titan_embedding((near_rocket / np.linalg.norm(near_rocket)).tolist()),
            {
                "modelId": "amazon.titan-embed-image-v1",
                "body": json.dumps(
                    {"inputText": "launch", "embeddingConfig": {"outputEmbeddingLength": 384}}
                ),
                "contentType": "application/json",
                "accept": "application/json",
            },
        )
        results = search_images("launch")
    assert [r.image.pk for r in results][:2] == [images[0].pk, images[1].pk]
    sent = base64.b64decode(bodies[0]["inputImage"])
    with PILImage.open(io.BytesIO(sent)) as jpeg:
        assert jpeg.format == "JPEG" and max(jpeg.size) <= 2048
    assert bodies[0]["embeddingConfig"] == {"outputEmbeddingLength": 384}


def test_the_image_analyzer_needs_a_multimodal_embedder(titan):
    from photodesk.analysis.analyzers.aws import BedrockImageEmbeddingAnalyzer
    from photodesk.analysis.analyzers.base import AnalyzerError

    with pytest.raises(AnalyzerError, match="amazon.titan-embed-image-v1"):
        BedrockImageEmbeddingAnalyzer().analyze(
            decode((DEMO_PHOTOS / "food_coffee_cup.jpg").read_bytes())
        )


@pytest.mark.django_db
def test_bedrock_access_denied_fails_the_analysis_with_the_model_named(
    titan, settings, separate_index
):
    # Metadata only: the embedder is the point.
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZERS": REKOGNITION_ANALYZERS[:1]}
    photo = DEMO_PHOTOS / "food_coffee_cup.jpg"
    image = make_image(photo.read_bytes(), photo.name, caption="A flat white on a café table")
    with stubbed("bedrock-runtime") as stubs:
        stubs["bedrock-runtime"].add_client_error(
            "invoke_model",
            service_error_code="AccessDeniedException",
            service_message="You don't have access to the model with the specified model ID.",
        )
        analysis = tasks.analyze_now(image, force=True)
    assert analysis.status == ImageAnalysis.Status.FAILED
    assert analysis.error.startswith(
        "bedrock-runtime:InvokeModel refused: AccessDeniedException: You don't have access"
    )
    assert type(image).objects.filter(pk=image.pk).exists()
