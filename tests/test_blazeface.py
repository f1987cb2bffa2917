"""FACE_DETECTOR "blazeface": MediaPipe's BlazeFace (its file out of the mediapipe wheel) finds
the faces dlib's HOG finds, boxed so that dlib's embedding names the same person; its checks.
Real models on generated scenes (tests/face_scenes.py: real faces pasted into real photos)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from photodesk.analysis.analyzers.faces import detect_faces
from photodesk.analysis.decode import decode
from photodesk.conf import photodesk_settings
from photodesk.inference import blazeface, mediapipe_files
from photodesk.inference.base import ModelFileMissing
from photodesk.inference.eyes import EyeOpenness
from photodesk.people.recognition import box_iou

from .conftest import need
from .face_scenes import available, make_scenes

# Where `make install` puts the mediapipe wheel's files for the demo site and the tests.
MEDIAPIPE_DIR = Path(__file__).resolve().parent.parent / "var" / "eyes-model"
PEOPLE = ["p16598", "p18150", "p2081446176"]


@pytest.fixture(scope="module")
def mediapipe_dir() -> Path:
    mediapipe_files.fetch(MEDIAPIPE_DIR)
    return MEDIAPIPE_DIR


@pytest.fixture(scope="module")
def scenes(tmp_path_factory):
    need(available(), "the face scene photos in ../shared/photos")
    return make_scenes(
        tmp_path_factory.mktemp("scenes"), PEOPLE, per_person=2, pairs=[tuple(PEOPLE[:2])]
    )


def faces_with(settings, detector: str, folder: Path, path: Path) -> list[dict]:
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "FACE_DETECTOR": detector,
        "EYES_MODEL_DIR": str(folder),
    }
    return detect_faces(decode(path.read_bytes(), path.name), with_embeddings=True)


def test_decoding_puts_a_face_on_its_anchor_and_keeps_the_best_of_overlapping_ones():
    raw = np.zeros((blazeface.GRID**2, 16), dtype=np.float32)
    logits = np.full(blazeface.GRID**2, -10.0, dtype=np.float32)
    row, col = 20, 30  # an anchor of the 48 x 48 grid
    best, twin, far = row * blazeface.GRID + col, row * blazeface.GRID + col + 1, 5
    raw[[best, twin, far], 2:4] = 48.0  # 48 input pixels wide and high: a quarter of the input
    logits[[best, twin, far]] = [4.0, 2.0, 3.0]
    boxes, scores = blazeface.decode(raw, logits)
    assert len(boxes) == 3 and scores.min() > blazeface.MIN_PROBABILITY
    kept = blazeface.suppress(boxes, scores)
    assert len(kept) == 2  # the twin one anchor to the right overlaps the best one
    x0, y0, x1, y1 = boxes[kept[0]]
    centre = ((col + 0.5) / blazeface.GRID, (row + 0.5) / blazeface.GRID)
    assert np.allclose([(x0 + x1) / 2, (y0 + y1) / 2], centre, atol=1e-6)
    assert np.isclose(x1 - x0, 0.25) and np.isclose(y1 - y0, 0.25)
    logits[:] = -10.0  # nothing likely enough: no face
    assert len(blazeface.decode(raw, logits)[0]) == 0


def test_it_finds_the_faces_hog_finds_and_the_embedding_names_the_same_person(
    settings, mediapipe_dir, scenes
):
    vectors: dict[str, list[np.ndarray]] = {}
    for scene in scenes:
        hog = faces_with(settings, "hog", mediapipe_dir, scene.path)
        blaze = faces_with(settings, "blazeface", mediapipe_dir, scene.path)
        assert len(hog) == len(scene.people) == len(blaze), scene.path.name
        for face in hog:
            twin = max(blaze, key=lambda f: box_iou(f["box"], face["box"]))
            assert box_iou(twin["box"], face["box"]) > 0.5, scene.path.name
            assert 0 < twin["score"] <= 1 and twin["usable"]
            # The same face boxed by either detector: dlib's embedding barely moves.
            assert np.linalg.norm(twin["embedding"] - face["embedding"]) < 0.25
        if len(scene.people) == 1:
            vectors.setdefault(scene.people[0], []).extend(f["embedding"] for f in blaze)
    # Recognition on BlazeFace's boxes: one person's scenes close, different people apart.
    for person, own in vectors.items():
        assert np.linalg.norm(own[0] - own[1]) < photodesk_settings.FACE_AUTO_DISTANCE
        for other, theirs in vectors.items():
            if other != person:
                assert np.linalg.norm(own[0] - theirs[0]) > 0.6


@pytest.mark.parametrize("model", [blazeface.BlazeFaceDetector, EyeOpenness])
def test_a_missing_wheel_file_names_the_command_that_fetches_it(tmp_path, model):
    # Not `photodesk_models fetch`, which knows only MODEL_DIR's files.
    with pytest.raises(ModelFileMissing, match="photodesk.inference.mediapipe_files"):
        model(tmp_path).ensure_loaded()


def test_the_checks_refuse_an_unknown_detector_and_a_missing_blazeface_file(
    settings, mediapipe_dir, tmp_path
):
    from django.core import checks

    def ids() -> set[str]:
        return {m.id for m in checks.run_checks()}

    assert not {"photodesk.E170", "photodesk.E171"} & ids()
    settings.PHOTODESK = {**settings.PHOTODESK, "FACE_DETECTOR": "retina"}
    assert "photodesk.E170" in ids()
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "FACE_DETECTOR": "blazeface",
        "EYES_MODEL_DIR": str(mediapipe_dir),
    }
    assert not {"photodesk.E170", "photodesk.E171"} & ids()
    settings.PHOTODESK = {**settings.PHOTODESK, "EYES_MODEL_DIR": str(tmp_path)}
    missing = [m for m in checks.run_checks() if m.id == "photodesk.E171"]
    assert len(missing) == 1 and "photodesk.inference.mediapipe_files" in missing[0].hint
