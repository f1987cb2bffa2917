"""Eye openness from MediaPipe's face mesh (468 landmarks), run with ai-edge-litert (no Django).

Model: `face_landmark/face_landmark.tflite` (1.2 MB, Apache-2.0), the face mesh that the
mediapipe wheels up to 0.10.21 carry at mediapipe/modules/face_landmark/. Only the file is
used: the mediapipe package itself pulls jax, matplotlib, OpenCV-contrib and numpy<2, and its
1.x wheels no longer carry the model. `python -m photodesk.inference.mediapipe_files DIR`
takes it out of the pinned wheel (pip downloads it, so a site's index or wheelhouse applies).

Input: a square RGB crop around the face, 192x192, float32 in [0, 1]. Outputs: 468 (x, y, z)
points in the crop's pixels and a face-presence logit.

Openness is the eye aspect ratio (EAR, Soukupová & Čech 2016): the mean of three lid-to-lid
distances over the corner-to-corner width, averaged over both eyes. Measured on the shared
photos (benchmarks/eyes.py): open eyes 0.17-0.42, closed 0.10-0.29. This mesh (without the
attention refinement of eyes and lips) is reliable as a comparison of one face across frames
more than as an absolute open/closed call (series/scoring.py uses it so).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from photodesk.inference.mediapipe_files import FACE_MESH, WheelModel

INPUT_SIDE = 192
# The crop around a dlib face box (which runs from the brows to the chin): grown so the whole
# head is in view as in MediaPipe's own pipeline (its detector's box scaled 1.5x), and moved up
# a little because the dlib box leaves out the forehead.
CROP_SCALE = 1.6
CROP_SHIFT_UP = 0.1

# Mesh indices: (corner, corner, [(upper, lower) lid pairs]) for each eye.
RIGHT_EYE = (33, 133, ((160, 144), (159, 145), (158, 153)))
LEFT_EYE = (263, 362, ((385, 380), (386, 374), (387, 373)))


@dataclass(frozen=True)
class EyeReading:
    openness: float  # eye aspect ratio, both eyes averaged
    right: float
    left: float
    presence: float  # 0-1, the model's confidence that the crop holds a face


def eye_aspect_ratio(points: np.ndarray, eye: tuple) -> float:
    corner_a, corner_b, pairs = eye
    width = np.linalg.norm(points[corner_a, :2] - points[corner_b, :2])
    if width <= 1e-6:
        return 0.0
    heights = [np.linalg.norm(points[u, :2] - points[d, :2]) for u, d in pairs]
    return float(np.mean(heights) / width)


def crop_square(box: list[int]) -> tuple[int, int, int]:
    """(left, top, side) of the square the mesh model sees around a face box [x, y, w, h]."""
    x, y, w, h = box
    side = max(w, h) * CROP_SCALE
    cx, cy = x + w / 2, y + h / 2 - CROP_SHIFT_UP * h
    return round(cx - side / 2), round(cy - side / 2), max(1, round(side))


def face_crop(img: Image.Image, box: list[int]) -> Image.Image:
    """The model's input crop around a face box; parts outside the image are black (as
    MediaPipe pads)."""
    left, top, side = crop_square(box)
    crop = img.convert("RGB").crop((left, top, left + side, top + side))
    return crop.resize((INPUT_SIDE, INPUT_SIDE), Image.Resampling.BILINEAR)


class EyeOpenness(WheelModel):
    name = "mediapipe-face-mesh"
    file = FACE_MESH

    def find_outputs(self, details: list[dict]) -> None:
        outputs = {int(np.prod(d["shape"])): d["index"] for d in details}
        self.points_index, self.presence_index = outputs[468 * 3], outputs[1]

    def landmarks(self, crop: Image.Image) -> tuple[np.ndarray, float]:
        """468x3 points in the 192-px crop's pixels, and the face presence 0-1."""
        self.ensure_loaded()
        x = np.asarray(crop.convert("RGB").resize((INPUT_SIDE, INPUT_SIDE)), dtype=np.float32)
        x = (x / 255.0)[None]
        # The interpreter is not thread-safe: one invocation at a time per process.
        with self._lock:
            self.interpreter.set_tensor(self.input_index, x)
            self.interpreter.invoke()
            points = self.interpreter.get_tensor(self.points_index).reshape(468, 3).copy()
            logit = float(self.interpreter.get_tensor(self.presence_index).reshape(-1)[0])
        return points, float(1 / (1 + np.exp(-logit)))

    def points_in_image(self, img: Image.Image, box: list[int]) -> np.ndarray:
        """The 468 mesh points (x, y) in `img`'s pixels."""
        points, _ = self.landmarks(face_crop(img, box))
        left, top, side = crop_square(box)
        return points[:, :2] * (side / INPUT_SIDE) + np.array([left, top], dtype=np.float32)

    def _predict(self, img: Image.Image, box: list[int]) -> EyeReading:
        """Eye openness of the face at `box` ([x, y, w, h] in `img`'s pixels)."""
        points, presence = self.landmarks(face_crop(img, box))
        right = eye_aspect_ratio(points, RIGHT_EYE)
        left = eye_aspect_ratio(points, LEFT_EYE)
        return EyeReading(
            openness=round((right + left) / 2, 4),
            right=round(right, 4),
            left=round(left, 4),
            presence=round(presence, 3),
        )
