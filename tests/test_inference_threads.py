"""Every model keeps to the one INFERENCE_THREADS setting, so a second worker process gets a
core of its own instead of contending with the first for all of them."""

from __future__ import annotations

import pytest
from PIL import Image

from photodesk.conf import photodesk_settings
from photodesk.inference.classifier import ImageNetClassifier
from photodesk.inference.ocr import TextReader

from .conftest import DEMO_PHOTOS


@pytest.mark.parametrize("threads", [1, 2])
def test_ocr_sessions_use_the_configured_threads(threads):
    reader = TextReader(photodesk_settings.model_dir, threads=threads)
    # RapidOCR builds its sessions on first use: read a photo with text.
    lines = reader.predict(Image.open(DEMO_PHOTOS / "coco_000000098392.jpg").convert("RGB"))
    assert lines
    for part in (reader.detector, reader.angle, reader.recogniser):
        options = part.session.session.get_session_options()
        assert (options.intra_op_num_threads, options.inter_op_num_threads) == (threads, 1)


def test_classifier_session_uses_the_configured_threads():
    model = ImageNetClassifier(photodesk_settings.model_dir, threads=1)
    model.ensure_loaded()
    options = model.session.get_session_options()
    assert (options.intra_op_num_threads, options.inter_op_num_threads) == (1, 1)
