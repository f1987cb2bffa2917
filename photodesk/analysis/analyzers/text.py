"""Text in the image (signs, banners, captions burnt in) with RapidOCR."""

from __future__ import annotations

from photodesk.analysis.analyzers.base import Analyzer, Facts, Photo, TextLine
from photodesk.conf import photodesk_settings
from photodesk.inference.ocr import TextReader
from photodesk.inference.registry import get_model


class TextAnalyzer(Analyzer):
    key = "text"

    def models(self) -> list:
        return [
            get_model(
                TextReader,
                photodesk_settings.model_dir,
                photodesk_settings.INFERENCE_THREADS,
                detect_side=photodesk_settings.TEXT_DETECT_SIDE,
            )
        ]

    def analyze(self, photo: Photo) -> Facts:
        lines: list[TextLine] = self.models()[0].predict(photo.pixels)
        return {"ocr_lines": lines, "ocr_text": "\n".join(line["text"] for line in lines)}
