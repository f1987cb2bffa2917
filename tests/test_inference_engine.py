"""INFERENCE_ENGINE "openvino": the image models (labels, safety, text in images) run the same
ONNX files on OpenVINO, see and read what they see and read on onnxruntime, keep to the one
thread setting, and say in their versions which engine made a fact."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PIL import Image

from photodesk.conf import photodesk_settings
from photodesk.inference.classifier import ImageNetClassifier
from photodesk.inference.ocr import TextReader
from photodesk.inference.registry import get_model
from photodesk.inference.safety import SafetyClassifier

from .conftest import DEMO_PHOTOS

pytest.importorskip("openvino")  # the openvino extra (in dev; CI fails a skip)

PHOTOS = ["animal_cat_chelsea.jpg", "coco_000000098392.jpg", "city_brick_wall.jpg"]
TEXT_PHOTO = "coco_000000098392.jpg"


def both(cls, **kwargs):
    """The model on onnxruntime and on OpenVINO (shared with other tests for the first)."""
    return [
        get_model(cls, photodesk_settings.model_dir, 1, engine=engine, **kwargs)
        for engine in ("onnxruntime", "openvino")
    ]


@pytest.fixture(scope="module")
def photos() -> dict[str, Image.Image]:
    return {name: Image.open(DEMO_PHOTOS / name).convert("RGB") for name in PHOTOS}


def test_the_classifier_sees_the_same_things_on_openvino(photos):
    ort, ov = both(ImageNetClassifier)
    names = ort.model_files()
    assert ov.model_files() == names  # the same file, not another model
    for img in photos.values():
        (ort_logits, ort_embedding), (ov_logits, ov_embedding) = ort.predict(img), ov.predict(img)
        ort_top = np.argsort(-ort_logits.mean(axis=0))[:5]
        ov_top = np.argsort(-ov_logits.mean(axis=0))[:5]
        assert ort_top[0] in ov_top[:2] and ov_top[0] in ort_top[:2]
        cosine = ort_embedding @ ov_embedding
        cosine /= np.linalg.norm(ort_embedding) * np.linalg.norm(ov_embedding)
        assert cosine > 0.99


def test_the_text_reader_reads_the_same_lines_on_openvino(photos):
    ort, ov = both(TextReader, detect_side=736, gate="photo")
    ort_lines = [line["text"] for line in ort.predict(photos[TEXT_PHOTO])]
    assert ort_lines
    assert [line["text"] for line in ov.predict(photos[TEXT_PHOTO])] == ort_lines
    # The detector was handed over, on the one thread setting, its threads not pinned to a
    # core (two worker processes would share one).
    compiled = ov.detector.session.session.compiled
    assert compiled.get_property("INFERENCE_NUM_THREADS") == 1
    assert compiled.get_property("ENABLE_CPU_PINNING") is False


def test_the_safety_score_is_the_same_on_openvino(photos):
    ort, ov = both(SafetyClassifier)
    for img in photos.values():
        assert ov.predict(img) == pytest.approx(ort.predict(img), abs=0.01)
    assert ov.classifier._session.compiled.get_property("INFERENCE_NUM_THREADS") == 1


def test_facts_say_which_engine_made_them(settings):
    """Another engine computes at another precision: the analyzers' model versions, stored
    with each analysis, name it, so an archive analysed on both says which made what."""
    from photodesk.analysis.analyzers.labels import LabelAnalyzer
    from photodesk.analysis.analyzers.safety import SafetyAnalyzer
    from photodesk.analysis.analyzers.text import TextAnalyzer

    analyzers = (LabelAnalyzer(), SafetyAnalyzer(), TextAnalyzer())
    before = [analyzer.model_versions() for analyzer in analyzers]
    assert not any("openvino" in v for versions in before for v in versions.values())
    settings.PHOTODESK = {**settings.PHOTODESK, "INFERENCE_ENGINE": "openvino"}
    after = [analyzer.model_versions() for analyzer in analyzers]
    for old, new in zip(before, after, strict=True):
        assert new.keys() == old.keys()
        for name in old:
            assert new[name] == old[name].replace(", gate", ", openvino, gate", 1) or (
                ", gate" not in old[name] and new[name] == f"{old[name]}, openvino"
            )


def test_one_session_answers_several_threads_at_once(photos):
    """A web process may classify from several request threads on one loaded model."""
    model = get_model(ImageNetClassifier, photodesk_settings.model_dir, 1, engine="openvino")
    images = list(photos.values())
    alone = [model.predict(img)[1] for img in images]
    together: dict[int, np.ndarray] = {}

    def classify(i: int) -> None:
        for _ in range(3):
            together[i] = model.predict(images[i])[1]

    threads = [threading.Thread(target=classify, args=(i,)) for i in range(len(images))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, embedding in enumerate(alone):
        np.testing.assert_array_equal(together[i], embedding)


def test_an_unknown_engine_fails_the_checks(settings):
    from django.core import checks

    assert "photodesk.E160" not in {m.id for m in checks.run_checks()}
    settings.PHOTODESK = {**settings.PHOTODESK, "INFERENCE_ENGINE": "openvino"}
    assert not {"photodesk.E160", "photodesk.E040"} & {m.id for m in checks.run_checks()}
    for bad in ("OpenVINO", "cuda"):
        settings.PHOTODESK = {**settings.PHOTODESK, "INFERENCE_ENGINE": bad}
        assert "photodesk.E160" in {m.id for m in checks.run_checks()}
