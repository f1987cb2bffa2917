"""Text in images with RapidOCR (PP-OCR detection + recognition ONNX models it bundles)."""

from __future__ import annotations

import numpy as np
from PIL import Image

from photodesk.inference.base import InferenceModel

# Below this, PP-OCR's output on photos without text is mostly noise ("0", "1BA").
MIN_CONFIDENCE = 0.8
MIN_CHARACTERS = 3


class TextReader(InferenceModel):
    name = "rapidocr-ppocr"
    version = "3"

    def load(self) -> None:
        import logging

        from rapidocr import RapidOCR

        # Its ONNX sessions default to every core; one INFERENCE_THREADS setting for all
        # models is what lets a second worker use the second core instead of contending.
        self.engine = RapidOCR(
            params={
                "Global.log_level": "critical",
                "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)

    def _predict(self, img: Image.Image) -> list[dict]:
        """Return lines as {text, confidence 0-1, box: [[x, y] x4]} in reading order."""
        result = self.engine(np.asarray(img))
        if result is None or result.txts is None:
            return []
        lines = []
        for text, score, box in zip(result.txts, result.scores, result.boxes, strict=False):
            if score >= MIN_CONFIDENCE and sum(c.isalnum() for c in text) >= MIN_CHARACTERS:
                lines.append(
                    {
                        "text": text.strip(),
                        "confidence": round(float(score), 3),
                        "box": np.asarray(box).round().astype(int).tolist(),
                    }
                )
        return lines
