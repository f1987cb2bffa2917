"""Face detection with dlib's HOG detector (bundled in dlib-bin, no model file needed).

Issue #6 adds the CNN detector, 128-d embeddings and expressions; this gives count and boxes.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .base import InferenceModel

# Faces smaller than ~40 px are missed by HOG; upsampling once finds them in news-sized photos
# at ~4x the cost, so large photos are first brought down to this long side.
MAX_SIDE = 1024


class FaceDetector(InferenceModel):
    name = "dlib-hog-frontal-face"
    version = "20.0"

    def load(self) -> None:
        import dlib

        self.detector = dlib.get_frontal_face_detector()

    def _predict(self, img: Image.Image) -> list[dict]:
        """Return faces as {box: [x, y, w, h] in original pixels, score}."""
        scale = min(1.0, MAX_SIDE / max(img.size))
        small = (
            img
            if scale == 1.0
            else img.resize(
                (round(img.width * scale), round(img.height * scale)), Image.Resampling.BILINEAR
            )
        )
        rects, scores, _ = self.detector.run(np.asarray(small), 1, 0.0)
        faces = []
        for rect, score in zip(rects, scores, strict=True):
            x, y = max(rect.left(), 0) / scale, max(rect.top(), 0) / scale
            w, h = rect.width() / scale, rect.height() / scale
            faces.append(
                {"box": [round(x), round(y), round(w), round(h)], "score": round(float(score), 3)}
            )
        return faces
