"""Text in images with RapidOCR (PP-OCR detection, angle and recognition ONNX models it bundles).

Detection, most of the cost, runs on a copy sized for the detector rather than on the photo
as decoded; only the boxes it finds are cut from the full-resolution image and recognised.
A gate (the same detector on a small copy, its probability map read before any box is drawn)
lets the full detection run only on photos where text is likely ("photo"), or only on the
regions of them where it is ("regions": under half the time, but it loses lines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from photodesk.inference.base import DEFAULT_ENGINE, InferenceModel, onnx_session

# Below this, PP-OCR's output on photos without text is mostly noise ("0", "1BA").
MIN_CONFIDENCE = 0.8
MIN_CHARACTERS = 3

# Short side of the copy detection runs on, whatever the photo's size: PP-OCR's detector finds
# text by its size in its input (RapidOCR enlarges small photos to 736 px for it), so a
# 12-megapixel original costs what a web-sized photo does. A smaller copy is cheaper but loses
# text: at 544 px half the time, 0.81 of full OCR's lines (benchmarks/ocr_recall.py --side).
DETECT_SIDE = 736
MIN_DETECT_SIDE = 160
MAX_SIDE = 2000
# Text lines are cut at about this height for recognition (its model reads 48 px lines);
# a large line is shrunk first, area-averaged, rather than by the model's linear resize.
LINE_HEIGHT = 64
# Boxes whose tops are this close (as a share of the long side) are one line, read left to
# right; RapidOCR's own rule is 10 px on a copy of at most 2000 px.
SAME_LINE = 10 / 2000

# The gate: the detector on a small copy (GATE_SIDE px short side, about a quarter of the
# pixels of the detection copy), its probability map read before any box is drawn. Text too
# small to make a box there often still lights up pixels at GATE_PROBABILITY; a photo where
# none do skips the full detection. Gate "regions" runs the full detection only on the regions
# around them (padded by GATE_PAD of the short side, across more than up and down: a line seen
# in part goes on sideways), or on the whole photo when they cover more than GATE_WHOLE of it.
# Chosen on the demo and eval photos: at 320 px the gate misses photos with text, and text
# the gate does not see at all is lost in "regions" (benchmarks/ocr_recall.py; README, "Text
# in images").
GATES = ("photo", "regions")
GATE_SIDE = 384
GATE_PROBABILITY = 0.3
GATE_PAD = (0.12, 0.05)
GATE_WHOLE = 0.5

WHOLE = (0.0, 0.0, 1.0, 1.0)


@dataclass(frozen=True)
class Reading:
    """What the reader did with one photo: its lines (as `predict` returns them) and the
    regions the full detection looked at, as (left, top, right, bottom) shares of the photo:
    [WHOLE] without the gate or when text may be anywhere, [] when the gate found none."""

    lines: list[dict] = field(default_factory=list)
    regions: list[tuple[float, float, float, float]] = field(default_factory=lambda: [WHOLE])

    @property
    def detected(self) -> bool:
        """Whether the full detection ran (on the whole photo or a part of it)."""
        return bool(self.regions)

    @property
    def detected_share(self) -> float:
        """The share of the photo the full detection looked at."""
        return covered(self.regions)


def covered(regions: list[tuple[float, float, float, float]]) -> float:
    """The share of the photo `regions` cover (shares of it that do not overlap)."""
    return sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in regions)


class TextReader(InferenceModel):
    name = "rapidocr-ppocr"
    version = "4"

    #: The benchmark compares settings on one loaded model (detect_side is set per instance).
    use_angle = True

    def __init__(
        self,
        model_dir,
        threads: int = 1,
        detect_side: int = DETECT_SIDE,
        gate: str | None = "photo",
        engine: str = DEFAULT_ENGINE,
    ) -> None:
        """`gate`: one of GATES (anything else true is "photo"), or None for the full
        detection on every photo."""
        # MIN_DETECT_SIDE..MAX_SIDE: the site's value is checked at start (photodesk.E140).
        super().__init__(model_dir, threads, engine)
        self.detect_side = detect_side
        self.gate = (gate if gate in GATES else "photo") if gate else None
        # Another size finds other text, and the gate may skip some: say so in versions
        # (without the gate, the reader reads what it read before the gate).
        if detect_side != DETECT_SIDE:
            self.version = f"{self.version}, detection {detect_side} px"
        if self.gate:
            self.version = f"{self.version}, gate {self.gate}"

    def load(self) -> None:
        import logging

        from rapidocr import RapidOCR

        # Its ONNX sessions default to every core; one INFERENCE_THREADS setting for all
        # models is what lets a second worker use the second core instead of contending.
        self.ocr = RapidOCR(
            params={
                "Global.log_level": "critical",
                "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        self.detector = self.ocr._load_det_model()
        self.angle = self.ocr._load_cls_model()
        self.recogniser = self.ocr._load_rec_model()
        if self.engine != DEFAULT_ENGINE:
            # Only the detector, most of the cost: RapidOCR's wrapper keeps its pre- and
            # post-processing and calls run() and get_inputs()/get_outputs() on the session
            # it holds. The angle and line models stay on onnxruntime: their batches come in
            # many widths, OpenVINO keeps memory for each, and on the demo photos they made
            # the worker 95 MB larger for no measurable gain (238 -> 245 ms a photo).
            wrapper = self.detector.session
            wrapper.session = onnx_session(
                Path(wrapper.session._model_path), self.threads, engine=self.engine
            )

    def _predict(self, img: Image.Image) -> list[dict]:
        """Return lines as {text, confidence 0-1, box: [[x, y] x4]} in reading order, the box in
        the pixels of `img`."""
        return self.read(img).lines

    def read(
        self,
        img: Image.Image | Callable[[], Image.Image],
        preview: Image.Image | None = None,
    ) -> Reading:
        """The lines of `img` and where the full detection looked. The gate looks at `preview`
        when given (a smaller copy of the same photo, such as the analysis's working copy;
        `img` may then be a callable that returns the photo, called only when there may be
        text, so a large photo without any is never decoded at full size)."""
        self.ensure_loaded()
        regions = [WHOLE]
        if self.gate:
            if preview is None:
                preview = img = img() if callable(img) else img
            regions = self.text_regions(rgb_array(preview))
            if not regions:
                return Reading([], [])
        full = rgb_array(img() if callable(img) else img)
        boxes = self.detect(full, regions)
        if not len(boxes):
            return Reading([], regions)
        crops = [line_crop(full, box) for box in boxes]
        if self.use_angle:
            crops = self.angle(crops).img_list
        from rapidocr.ch_ppocr_rec import TextRecInput

        read = self.recogniser(TextRecInput(img=crops))
        lines = []
        for text, score, box in zip(read.txts, read.scores, boxes, strict=True):
            if score >= MIN_CONFIDENCE and sum(c.isalnum() for c in text) >= MIN_CHARACTERS:
                lines.append(
                    {
                        "text": text.strip(),
                        "confidence": round(float(score), 3),
                        "box": box.round().astype(int).tolist(),
                    }
                )
        return Reading(lines, regions)

    def text_regions(self, photo: np.ndarray) -> list[tuple[float, float, float, float]]:
        """Where text may be, as (left, top, right, bottom) shares of `photo` (any size of
        it): [] when the detector sees nothing on a GATE_SIDE copy, else [WHOLE], or with gate
        "regions" the padded, merged surroundings of what it sees ([WHOLE] when they cover
        more than GATE_WHOLE of it)."""
        import cv2

        probability = self.probability(detection_copy(photo, GATE_SIDE))[0, 0]
        mask = (probability >= GATE_PROBABILITY).astype(np.uint8)
        if not mask.any():
            return []
        if self.gate != "regions":
            return [WHOLE]
        height, width = mask.shape
        pad_x, pad_y = (round(share * min(width, height)) for share in GATE_PAD)
        mask = cv2.dilate(mask, np.ones((2 * pad_y + 1, 2 * pad_x + 1), np.uint8))
        _, _, stats, _ = cv2.connectedComponentsWithStats(mask)
        rects = merged([(x, y, x + w, y + h) for x, y, w, h, _ in stats[1:]])
        regions = [(x0 / width, y0 / height, x1 / width, y1 / height) for x0, y0, x1, y1 in rects]
        if covered(regions) > GATE_WHOLE:
            return [WHOLE]
        return regions

    def probability(self, copy: np.ndarray) -> np.ndarray:
        """The detector's raw output on `copy` (sides multiples of 32): 1 x 1 x h x w, the
        probability that each pixel is text."""
        from rapidocr.ch_ppocr_det.utils import DetPreProcess

        detector = self.detector
        height, width = copy.shape[:2]
        return detector.session(
            DetPreProcess(max(width, height), "max", detector.mean, detector.std)(copy)
        )

    def detect(
        self, full: np.ndarray, regions: list[tuple[float, float, float, float]] = (WHOLE,)
    ) -> np.ndarray:
        """Text boxes (n x 4 x 2, float) in the pixels of `full` (the RGB photo as an array),
        in reading order, found in `regions` (shares of the photo) at the scale of the
        detection copy (`detect_side` px short side for the whole photo)."""
        height, width = full.shape[:2]
        scale = detection_scale(height, width, self.detect_side)
        boxes = []
        for x0, y0, x1, y1 in regions:
            left, top = int(x0 * width), int(y0 * height)
            right, bottom = max(left + 1, round(x1 * width)), max(top + 1, round(y1 * height))
            part = full[top:bottom, left:right]
            # The post-processing maps the boxes straight to the part's pixels.
            found, _ = self.detector.postprocess_op(
                self.probability(scaled_copy(part, scale)), part.shape[:2]
            )
            boxes.extend(np.asarray(box, dtype=np.float32) + (left, top) for box in found)
        if not boxes:
            return np.zeros((0, 4, 2), dtype=np.float32)
        return reading_order(np.stack(boxes), SAME_LINE * max(width, height, MAX_SIDE))


def rgb_array(img: Image.Image) -> np.ndarray:
    return np.asarray(img if img.mode == "RGB" else img.convert("RGB"))


def detection_copy(full: np.ndarray, side: int) -> np.ndarray:
    """`full` resized to about `side` px on its short side (at most MAX_SIDE on its long
    side), each side a multiple of 32."""
    return scaled_copy(full, detection_scale(*full.shape[:2], side))


def detection_scale(height: int, width: int, side: int) -> float:
    """The scale that brings a photo's short side to `side` px, its long side to at most
    MAX_SIDE."""
    return min(side / min(width, height), MAX_SIDE / max(width, height))


def scaled_copy(part: np.ndarray, scale: float) -> np.ndarray:
    """`part` resized by about `scale`, each side a multiple of 32: the network takes
    multiples of 32, and a copy made at that size is not resized again by the detector
    (limit "max" at its own long side)."""
    import cv2

    height, width = part.shape[:2]
    size = (max(32, round(width * scale / 32) * 32), max(32, round(height * scale / 32) * 32))
    shrink = size[0] < width
    return cv2.resize(part, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def merged(rects: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """`rects` (left, top, right, bottom) with every overlapping pair replaced by the
    rectangle around both, until none overlap."""
    rects = list(rects)
    changed = True
    while changed:
        changed = False
        for i, a in enumerate(rects):
            for j in range(i + 1, len(rects)):
                b = rects[j]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                    rects[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    del rects[j]
                    changed = True
                    break
            if changed:
                break
    return sorted(rects, key=lambda r: (r[1], r[0]))


def reading_order(boxes: np.ndarray, same_line: float) -> np.ndarray:
    """Top to bottom; boxes whose tops are within `same_line` pixels of the previous one's
    stay on its line and are read left to right (RapidOCR's rule)."""
    by_top = boxes[np.argsort(boxes[:, 0, 1], kind="stable")]
    tops = by_top[:, 0, 1]
    line = np.concatenate([[0], np.cumsum(np.diff(tops) >= same_line)])
    return by_top[np.lexsort((by_top[:, 0, 0], line))]


def line_crop(full: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The text line under `box`, straightened, cut from the full image and shrunk
    (area-averaged) to about LINE_HEIGHT when it is larger."""
    import cv2
    from rapidocr.utils.process_img import get_rotate_crop_image

    x0, y0 = np.floor(box.min(axis=0)).astype(int)
    x1, y1 = np.ceil(box.max(axis=0)).astype(int)
    region = full[max(y0, 0) : max(y1, y0 + 1), max(x0, 0) : max(x1, x0 + 1)]
    points = box - np.array([max(x0, 0), max(y0, 0)], dtype=np.float32)
    across = min(
        np.linalg.norm(box[0] - box[3]),
        np.linalg.norm(box[1] - box[2]),
        np.linalg.norm(box[0] - box[1]),
    )
    shrink = LINE_HEIGHT / across if across > 0 else 1.0
    if shrink < 0.5:
        size = (max(1, round(region.shape[1] * shrink)), max(1, round(region.shape[0] * shrink)))
        points = points * np.array(
            [size[0] / region.shape[1], size[1] / region.shape[0]], dtype=np.float32
        )
        region = cv2.resize(region, size, interpolation=cv2.INTER_AREA)
    return get_rotate_crop_image(np.ascontiguousarray(region), points.astype(np.float32))
