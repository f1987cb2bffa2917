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
                gate=photodesk_settings.TEXT_GATE or None,
                engine=photodesk_settings.INFERENCE_ENGINE,
            )
        ]

    def analyze(self, photo: Photo) -> Facts:
        # The gate looks at the shared working copy: a large photo without text is never
        # decoded at full size for this.
        reading = self.models()[0].read(lambda: photo.pixels, preview=photo.working)
        lines: list[TextLine] = reading.lines
        return {"ocr_lines": lines, "ocr_text": "\n".join(line["text"] for line in lines)}
