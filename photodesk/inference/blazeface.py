"""Faces found by MediaPipe's BlazeFace, full range (sparse), run with ai-edge-litert (no Django).

One pass over the whole photo, letterboxed into the model's 192 x 192 input (values -1..1):
2,304 anchors on a 48 x 48 grid, each with a box (centre offset, width, height in input
pixels) and a face logit. Boxes above MIN_PROBABILITY are kept, overlapping ones merged (the
best one kept), and returned in the photo's pixels. On this CPU: ~7 ms a photo, whatever its
size, against 60-260 ms for dlib's HOG upsampled once; its boxes are drawn like dlib's (median
width ratio 1.01, IoU 0.77 on the faces both find), so dlib's 5-point landmarks and embedding
read them as they read HOG's (README, "Faces").
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from photodesk.inference.mediapipe_files import FACE_DETECTION, WheelModel

INPUT_SIDE = 192
GRID = INPUT_SIDE // 4
# MediaPipe's own defaults for this model: a face at probability 0.5, overlaps above 0.3 merged.
MIN_PROBABILITY = 0.5
MAX_OVERLAP = 0.3
# A logit beyond this saturates the sigmoid (and exp overflows in float32).
LOGIT_LIMIT = 80.0

_centres = (np.arange(GRID, dtype=np.float32) + 0.5) / GRID
# Anchor centres in the input's unit square, row by row: (x, y).
ANCHORS = np.stack(np.meshgrid(_centres, _centres), axis=-1).reshape(-1, 2)


def letterbox(img: Image.Image) -> tuple[np.ndarray, int, int, int]:
    """The model's input (1 x 192 x 192 x 3, -1..1) and where the photo sits in its square:
    (input, side of the square in the photo's pixels, left pad, top pad)."""
    side = max(img.size)
    left, top = (side - img.width) // 2, (side - img.height) // 2
    square = Image.new("RGB", (side, side))
    square.paste(img.convert("RGB"), (left, top))
    pixels = square.resize((INPUT_SIDE, INPUT_SIDE), Image.Resampling.BILINEAR)
    x = np.asarray(pixels, dtype=np.float32) / 127.5 - 1.0
    return x[None], side, left, top


def decode(raw_boxes: np.ndarray, logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boxes [x0, y0, x1, y1] in the input's unit square and their probabilities, above
    MIN_PROBABILITY. raw_boxes: (2304, 16), logits: (2304,)."""
    probability = 1.0 / (1.0 + np.exp(-np.clip(logits, -LOGIT_LIMIT, LOGIT_LIMIT)))
    keep = probability > MIN_PROBABILITY
    raw = raw_boxes[keep, :4] / INPUT_SIDE
    centre = raw[:, :2] + ANCHORS[keep]
    half = raw[:, 2:4] / 2
    boxes = np.concatenate([centre - half, centre + half], axis=1)
    valid = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
    return boxes[valid], probability[keep][valid]


def suppress(boxes: np.ndarray, scores: np.ndarray) -> list[int]:
    """Indexes of the boxes kept, best first: each drops those overlapping it by more than
    MAX_OVERLAP (intersection over union)."""
    order = list(np.argsort(-scores))
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    kept: list[int] = []
    while order:
        best, rest = order[0], np.array(order[1:], dtype=int)
        kept.append(int(best))
        if not rest.size:
            break
        low = np.maximum(boxes[best, :2], boxes[rest, :2])
        high = np.minimum(boxes[best, 2:], boxes[rest, 2:])
        inter = np.prod(np.clip(high - low, 0, None), axis=1)
        overlap = inter / (areas[best] + areas[rest] - inter)
        order = [int(i) for i in rest[overlap <= MAX_OVERLAP]]
    return kept


class BlazeFaceDetector(WheelModel):
    """Boxes and scores, as FaceDetector gives them. `model_dir` holds the file taken out of
    the mediapipe wheel (`python -m photodesk.inference.mediapipe_files DIR`)."""

    name = "mediapipe-blazeface-full-range-sparse"
    file = FACE_DETECTION

    def find_outputs(self, details: list[dict]) -> None:
        outputs = {d["shape"][-1]: d["index"] for d in details}
        self.boxes_index, self.logits_index = outputs[16], outputs[1]

    def _predict(self, img: Image.Image) -> list[dict]:
        """Faces as {box: [x, y, w, h] in the given image's pixels, score 0-1}."""
        x, side, left, top = letterbox(img)
        # The interpreter is not thread-safe: one invocation at a time per process.
        with self._lock:
            self.interpreter.set_tensor(self.input_index, x)
            self.interpreter.invoke()
            raw_boxes = self.interpreter.get_tensor(self.boxes_index)[0].copy()
            logits = self.interpreter.get_tensor(self.logits_index)[0, :, 0].copy()
        boxes, scores = decode(raw_boxes, logits)
        faces = []
        for i in suppress(boxes, scores):
            x0, y0, x1, y1 = boxes[i] * side - [left, top, left, top]
            x0, y0 = max(x0, 0.0), max(y0, 0.0)
            x1, y1 = min(x1, img.width), min(y1, img.height)
            if x1 <= x0 or y1 <= y0:
                continue
            faces.append(
                {
                    "box": [round(x0), round(y0), round(x1 - x0), round(y1 - y0)],
                    "score": round(float(scores[i]), 3),
                }
            )
        return faces
