"""Text in images with RapidOCR (PP-OCR detection, angle and recognition ONNX models it bundles).

Detection, most of the cost, runs on a copy sized for the detector rather than on the photo
as decoded; only the boxes it finds are cut from the full-resolution image and recognised, and
a photo where detection finds nothing costs that one detection.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from photodesk.inference.base import InferenceModel

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


class TextReader(InferenceModel):
    name = "rapidocr-ppocr"
    version = "4"

    #: The benchmark compares settings on one loaded model (detect_side is set per instance).
    use_angle = True

    def __init__(self, model_dir, threads: int = 1, detect_side: int = DETECT_SIDE) -> None:
        # MIN_DETECT_SIDE..MAX_SIDE: the site's value is checked at start (photodesk.E140).
        super().__init__(model_dir, threads)
        self.detect_side = detect_side
        if detect_side != DETECT_SIDE:  # another size finds other text: say so in versions
            self.version = f"{self.version}, detection {detect_side} px"

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
        self.detector = self.engine._load_det_model()
        self.angle = self.engine._load_cls_model()
        self.recogniser = self.engine._load_rec_model()

    def _predict(self, img: Image.Image) -> list[dict]:
        """Return lines as {text, confidence 0-1, box: [[x, y] x4]} in reading order, the box in
        the pixels of `img`."""
        if img.mode != "RGB":
            img = img.convert("RGB")
        full = np.asarray(img)
        boxes = self.detect(full)
        if not len(boxes):
            return []
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
        return lines

    def detect(self, full: np.ndarray) -> np.ndarray:
        """Text boxes (n x 4 x 2, float) found on the detection copy, in the pixels of `full`
        (the RGB photo as an array), in reading order."""
        import cv2
        from rapidocr.ch_ppocr_det.utils import DetPreProcess

        height, width = full.shape[:2]
        scale = min(self.detect_side / min(width, height), MAX_SIDE / max(width, height))
        # The network takes multiples of 32; the copy is made at that size so the detector
        # does not resize it again (limit "max" at its own long side: nothing to do).
        size = (max(32, round(width * scale / 32) * 32), max(32, round(height * scale / 32) * 32))
        shrink = size[0] < width
        copy = cv2.resize(full, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
        detector = self.detector
        network_input = DetPreProcess(max(size), "max", detector.mean, detector.std)(copy)
        # The post-processing maps the boxes straight to the photo's pixels.
        boxes, _ = detector.postprocess_op(detector.session(network_input), (height, width))
        if not len(boxes):
            return np.zeros((0, 4, 2), dtype=np.float32)
        boxes = np.asarray(boxes, dtype=np.float32)
        return reading_order(boxes, SAME_LINE * max(width, height, MAX_SIDE))


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
