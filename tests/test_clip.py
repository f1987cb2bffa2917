"""A site's own CLIP-family model (CLIP_MODEL_DIR), with tiny ONNX pairs built in the tests
(tests/clip_fixtures.py): preprocessing, search, the switch both ways on both index
backends, the refusals of a folder that does not match, and zero-shot labels."""

from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pytest
from django.core.checks import Tags, run_checks
from django.core.management import call_command
from PIL import Image as PILImage

from photodesk import checks, tasks
from photodesk.analysis import embedding
from photodesk.inference.clip import ClipFolderError, ClipModel, Preprocess, read_folder
from photodesk.labels.zero_shot import leaf_labels
from photodesk.models import ImageAnalysis, ImageLabel, Label
from photodesk.search.index import get_index
from photodesk.search.service import search_images, suggest_for_text

from .clip_fixtures import CONTEXT, DIMENSION, textual_graph, visual_graph
from .helpers import jpeg_bytes, make_image
from .opensearch_support import drop, new_alias, require_node, use_opensearch

METADATA_ONLY = ["photodesk.analysis.analyzers.metadata.MetadataAnalyzer"]
RED, GREEN, BLUE = (200, 30, 30), (30, 200, 30), (30, 30, 200)


def use_clip(settings, folder, **extra) -> None:
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "CLIP_MODEL_DIR": str(folder),
        "ANALYZERS": METADATA_ONLY,
        **extra,
    }


def colour_photos(**captions) -> dict[str, object]:
    """A red, a green and a blue photo, alone in the archive (the session's demo archive comes
    back after the test)."""
    ImageAnalysis.objects.all().delete()
    colours = {"red": RED, "green": GREEN, "blue": BLUE}
    return {
        name: make_image(jpeg_bytes(rgb, (40, 30)), f"{name}.jpg", caption=captions.get(name, ""))
        for name, rgb in colours.items()
    }


# --- the pure runner ----------------------------------------------------------------------


def test_preprocessing_crops_the_centre_and_normalises_like_a_hand_computation():
    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, (4, 6, 3), dtype=np.uint8)  # 6 wide, 4 high
    mean, std = (0.48, 0.46, 0.41), (0.27, 0.26, 0.28)
    out = Preprocess(4, mean, std, "bicubic", "shortest")(PILImage.fromarray(pixels))
    # The short side is already 4: no resize; the centre 4 columns (1..4) are kept.
    expected = (pixels[:, 1:5] / 255.0 - np.array(mean)) / np.array(std)
    assert out.shape == (3, 4, 4) and out.dtype == np.float32
    np.testing.assert_allclose(out, expected.transpose(2, 0, 1), atol=1e-5)


def test_preprocessing_resizes_the_short_side_before_cropping_and_squash_does_not_crop():
    pixels = np.arange(2 * 4 * 3, dtype=np.uint8).reshape(4, 2, 3) * 10  # 2 wide, 4 high
    image = PILImage.fromarray(pixels)
    out = Preprocess(4, (0, 0, 0), (1, 1, 1), "nearest", "shortest")(image)
    # Short side 2 → 4: 4 x 8 by repeating each pixel, then rows 2..5 of 8 (centre).
    doubled = pixels.repeat(2, axis=0).repeat(2, axis=1)
    np.testing.assert_allclose(out, (doubled[2:6] / 255.0).transpose(2, 0, 1), atol=1e-6)
    squashed = Preprocess(4, (0, 0, 0), (1, 1, 1), "nearest", "squash")(image)
    expected = pixels.repeat(2, axis=1)  # 2 → 4 wide, 4 high unchanged
    np.testing.assert_allclose(squashed, (expected / 255.0).transpose(2, 0, 1), atol=1e-6)


@pytest.mark.parametrize("kind", ["openclip", "multilingual"])
def test_both_text_sides_embed_into_the_image_space(tiny_clip, kind):
    model = ClipModel(tiny_clip[kind].parent, 1, folder=str(tiny_clip[kind]))
    assert model.dimension == DIMENSION and model.name == tiny_clip[kind].name
    texts = model.predict(["a photo of Crimson.", "azure   sea", "verdant"])
    images = np.stack(
        [model.embed_image(PILImage.new("RGB", (30, 20), rgb)) for rgb in (RED, GREEN, BLUE)]
    )
    np.testing.assert_allclose(np.linalg.norm(texts, axis=1), 1, atol=1e-6)
    # crimson ↔ red, azure ↔ blue, verdant ↔ green.
    assert list((texts @ images.T).argmax(axis=1)) == [0, 2, 1]
    assert model.text_inputs == (
        ("input_ids", "attention_mask") if kind == "multilingual" else ("text",)
    )


def test_the_joint_model_runs_on_cpu_with_the_configured_threads(tiny_clip, settings):
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "CLIP_MODEL_DIR": str(tiny_clip["openclip"]),
        "INFERENCE_THREADS": 2,
    }
    model = embedding.joint_model()
    model.ensure_loaded()
    for session in (model.visual, model.textual):
        options = session.get_session_options()
        assert (options.intra_op_num_threads, options.inter_op_num_threads) == (2, 1)
        assert session.get_providers() == ["CPUExecutionProvider"]


# --- refusals ------------------------------------------------------------------------------


def broken_copy(tiny_clip, tmp_path, name="broken"):
    return shutil.copytree(tiny_clip["openclip"], tmp_path / name)


def test_a_missing_file_is_named(tiny_clip, tmp_path, settings):
    folder = broken_copy(tiny_clip, tmp_path)
    (folder / "textual" / "tokenizer.json").unlink()
    with pytest.raises(ClipFolderError, match=r"textual/tokenizer\.json is missing"):
        read_folder(folder)
    settings.PHOTODESK = {**settings.PHOTODESK, "CLIP_MODEL_DIR": str(folder)}
    (error,) = checks.check_clip_folder(None)
    assert error.id == "photodesk.E070" and "tokenizer.json" in error.msg
    # The other checks still run: the error is reported once, by E070.
    messages = checks.check_model_files(None) + checks.check_clip_graphs(None)
    assert not any("tokenizer.json" in m.msg for m in messages)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"resize_mode": "longest"}, r"preprocess_cfg\.json: resize_mode 'longest'"),
        ({"mean": [0.5]}, r"preprocess_cfg\.json: mean and std need 3 values"),
        ({"interpolation": "area"}, r"interpolation 'area'"),
    ],
)
def test_a_wrong_preprocessing_config_is_refused(tiny_clip, tmp_path, change, message):
    folder = broken_copy(tiny_clip, tmp_path)
    path = folder / "visual" / "preprocess_cfg.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))
    with pytest.raises(ClipFolderError, match=message):
        read_folder(folder)


def test_config_without_embed_dim_and_an_unknown_pad_token_are_refused(tiny_clip, tmp_path):
    folder = broken_copy(tiny_clip, tmp_path)
    (folder / "config.json").write_text(json.dumps({"text_cfg": {}}))
    with pytest.raises(ClipFolderError, match=r"config\.json must give embed_dim"):
        read_folder(folder)
    folder = broken_copy(tiny_clip, tmp_path, "pad")
    (folder / "textual" / "tokenizer_config.json").write_text(json.dumps({"pad_token": "<p>"}))
    with pytest.raises(ClipFolderError, match=r"pad_token '<p>' is not in"):
        ClipModel(tmp_path, 1, folder=str(folder)).ensure_loaded()


def test_a_wrong_tensor_is_named_and_the_deploy_check_says_so(tiny_clip, tmp_path, settings):
    folder = broken_copy(tiny_clip, tmp_path)
    visual_graph(folder / "visual" / "model.onnx", dimension=DIMENSION + 1)
    with pytest.raises(
        ClipFolderError, match=r"visual/model\.onnx: output 'embedding' has shape .* expected"
    ):
        ClipModel(tmp_path, 1, folder=str(folder)).ensure_loaded()
    settings.PHOTODESK = {**settings.PHOTODESK, "CLIP_MODEL_DIR": str(folder)}
    (error,) = checks.check_clip_graphs(None)
    assert error.id == "photodesk.E071" and "visual/model.onnx" in error.msg

    folder = broken_copy(tiny_clip, tmp_path, "inputs")
    textual_graph(folder / "textual" / "model.onnx", multilingual=True, inputs=("ids", "mask"))
    with pytest.raises(ClipFolderError, match=r"textual/model\.onnx has inputs \['ids', 'mask'\]"):
        ClipModel(tmp_path, 1, folder=str(folder)).ensure_loaded()


@pytest.mark.django_db
def test_an_analysis_with_a_graph_that_does_not_match_fails_naming_it(
    tiny_clip, tmp_path, settings, separate_index
):
    folder = broken_copy(tiny_clip, tmp_path, "analysis")
    visual_graph(folder / "visual" / "model.onnx", dimension=DIMENSION + 1)
    use_clip(settings, folder)
    image = make_image(jpeg_bytes(RED, (40, 30)), "red.jpg")
    analysis = tasks.analyze_now(image, force=True)
    assert analysis.status == ImageAnalysis.Status.FAILED
    assert "visual/model.onnx: output 'embedding'" in analysis.error


def test_a_text_side_for_another_context_length_is_refused(tiny_clip, tmp_path):
    folder = broken_copy(tiny_clip, tmp_path)
    (folder / "config.json").write_text(
        json.dumps({"embed_dim": DIMENSION, "text_cfg": {"context_length": CONTEXT + 1}})
    )
    with pytest.raises(ClipFolderError, match=rf"takes {CONTEXT} tokens but config\.json"):
        ClipModel(tmp_path, 1, folder=str(folder)).ensure_loaded()


# --- search -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_ingested_photos_are_found_by_the_joint_model_and_the_reason_says_so(
    tiny_clip, settings, separate_index
):
    use_clip(settings, tiny_clip["openclip"])
    photos = colour_photos()
    for image in photos.values():
        analysis = tasks.analyze_now(image, force=True)
        assert analysis.status == ImageAnalysis.Status.DONE, analysis.error
    analysis = ImageAnalysis.objects.get(image=photos["blue"])
    model = embedding.joint_model()
    assert analysis.embedding_model == f"tiny-openclip@{model.version}/clip-visual-1"
    assert analysis.model_versions["image_embedding"] == {"tiny-openclip": model.version}
    np.testing.assert_allclose(analysis.vector, [0, 0, 1, 0], atol=1e-6)
    for query, expected in (("crimson", "red"), ("an azure sea", "blue"), ("verdant", "green")):
        results = search_images(query, limit=3)
        assert results[0].image.pk == photos[expected].pk, query
    (similarity,) = [r for r in search_images("azure")[0].reasons if r.kind == "similarity"]
    assert "image–text model tiny-openclip" in similarity.text
    assert similarity.data["model"] == "tiny-openclip"
    # Suggestions for an article work on the same vectors.
    suggested = suggest_for_text("Coast guard", "The azure sea off the coast was calm.", limit=3)
    assert suggested[0].image.pk == photos["blue"].pk


@pytest.mark.django_db
def test_an_image_the_joint_model_cannot_read_is_named_and_left_out_of_the_index(
    tiny_clip, settings, separate_index, capsys
):
    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZERS": METADATA_ONLY}
    photos = colour_photos(red="A fire engine", green="A meadow", blue="The sea")
    for image in photos.values():
        tasks.analyze_now(image, force=True)
    before = ImageAnalysis.objects.get(image=photos["green"])
    with open(photos["green"].file.path, "wb") as handle:
        handle.write(b"not an image")
    use_clip(settings, tiny_clip["openclip"])
    call_command("reindex", re_embed=True, no_progress=True)
    captured = capsys.readouterr()
    assert f"image {photos['green'].pk}: green.jpg is not an image" in captured.err
    assert "Indexed 2 images." in captured.out
    after = ImageAnalysis.objects.get(image=photos["green"])
    assert after.status == ImageAnalysis.Status.FAILED and "not an image" in after.error
    assert after.embedding_model == before.embedding_model  # its facts and vector are kept
    assert ImageAnalysis.objects.get(image=photos["red"]).vector.shape == (DIMENSION,)
    found = [r.image.pk for r in search_images("crimson")]
    assert found[0] == photos["red"].pk and photos["green"].pk not in found


@pytest.mark.django_db
@pytest.mark.parametrize("backend", ["embedded", "opensearch"])
def test_reindex_re_embed_switches_the_archive_to_the_joint_model_and_back(
    tiny_clip, settings, separate_index, backend, capsys
):
    alias = None
    if backend == "opensearch":
        require_node()
        alias = new_alias()
        use_opensearch(settings, alias)
    try:
        settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZERS": METADATA_ONLY}
        photos = colour_photos(
            red="A fire engine outside the station",
            green="Cows grazing in a meadow",
            blue="Sailing boats at sea",
        )
        for image in photos.values():
            assert tasks.analyze_now(image, force=True).vector.shape == (384,)
        call_command("reindex", no_progress=True)

        use_clip(settings, tiny_clip["multilingual"])
        # What `migrate` and `manage.py check --database default` run.
        (warning,) = [
            m
            for m in run_checks(tags=[Tags.database], databases=["default"])
            if m.id.startswith("photodesk.")
        ]
        assert warning.id == "photodesk.W070" and "3 image vector(s)" in warning.msg
        call_command("reindex", re_embed=True, no_progress=True)
        assert "Indexed 3 images." in capsys.readouterr().out
        assert checks.check_vectors_model(None, databases=["default"]) == []
        analysis = ImageAnalysis.objects.get(image=photos["red"])
        assert analysis.vector.shape == (DIMENSION,)
        assert analysis.embedding_model.startswith("tiny-mclip@")
        if backend == "opensearch":
            (mapping,) = get_index().client.indices.get_mapping(index=alias).values()
            assert mapping["mappings"]["properties"]["vector"]["dimension"] == DIMENSION
        # No word of the captions: found by the picture alone.
        assert search_images("crimson")[0].image.pk == photos["red"].pk
        assert search_images("azure")[0].image.pk == photos["blue"].pk

        settings.PHOTODESK = {**settings.PHOTODESK, "CLIP_MODEL_DIR": None}
        assert checks.check_vectors_model(None, databases=["default"])[0].id == "photodesk.W070"
        call_command("reindex", re_embed=True, no_progress=True)
        analysis = ImageAnalysis.objects.get(image=photos["red"])
        assert analysis.vector.shape == (384,)
        assert analysis.embedding_model == embedding.embedding_model_name()
        assert search_images("sheep in a field")[0].image.pk == photos["green"].pk
    finally:
        if alias:
            drop(alias)


# --- zero-shot labels ------------------------------------------------------------------------


def temperature_for(confidence: float, labels: int) -> float:
    """The temperature that gives a label with cosine 1 (all others 0) this confidence."""
    return 1 / math.log(confidence / (1 - confidence) * (labels - 1))


@pytest.mark.django_db
def test_zero_shot_labels_go_through_the_thresholds_and_the_review_queue(
    tiny_clip, settings, separate_index
):
    crimson = Label.objects.create(name="crimson")
    leaves = len(leaf_labels())
    use_clip(
        settings,
        tiny_clip["openclip"],
        CLIP_TEMPERATURE={"tiny-openclip": temperature_for(0.35, leaves)},
    )
    photos = colour_photos()
    for image in photos.values():
        tasks.analyze_now(image, force=True)
    row = ImageLabel.objects.get(image=photos["red"], label=crimson)
    assert row.state == ImageLabel.State.REVIEW  # 35: between review (20) and accept (50)
    assert row.confidence == pytest.approx(35, abs=0.1)
    assert row.source.startswith("zero-shot:tiny-openclip@")
    assert not ImageLabel.objects.filter(image=photos["green"], label=crimson).exists()
    assert row in ImageLabel.objects.filter(state=ImageLabel.State.REVIEW)

    # A new label reaches the archive with no image model running; sharper: applied.
    azure = Label.objects.create(name="azure")
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "CLIP_TEMPERATURE": {"default": temperature_for(0.8, leaves + 1)},
    }
    assert tasks.apply_label_everywhere(azure.pk) == 1
    applied = ImageLabel.objects.get(image=photos["blue"], label=azure)
    assert applied.state == ImageLabel.State.AUTO and applied.confidence == pytest.approx(
        80, abs=0.1
    )

    # Switching the joint model off removes its labels.
    settings.PHOTODESK = {**settings.PHOTODESK, "CLIP_MODEL_DIR": None}
    call_command("reindex", re_embed=True, no_progress=True)
    assert not ImageLabel.objects.filter(source__startswith="zero-shot:").exists()
