"""The image's own vector from the joint image–text model of CLIP_MODEL_DIR (its visual
side), so that text queries and label prompts embedded by its text side can be compared with
it. The pipeline adds this analyzer by itself when CLIP_MODEL_DIR is set."""

from __future__ import annotations

import numpy as np

from photodesk.analysis.analyzers.base import Analyzer, AnalyzerError, Facts, Photo
from photodesk.analysis.embedding import joint_model
from photodesk.inference.clip import ClipFolderError, ClipModel
from photodesk.labels.zero_shot import image_embedding_versions


class ClipImageAnalyzer(Analyzer):
    key = "image_embedding"

    def model(self) -> ClipModel:
        try:
            model = joint_model()
        except ClipFolderError as exc:  # a retry will not fix the folder
            raise AnalyzerError(f"CLIP_MODEL_DIR: {exc}") from exc
        if model is None:
            raise AnalyzerError(
                "ClipImageAnalyzer needs a joint model: set PHOTODESK['CLIP_MODEL_DIR'] to a "
                "CLIP model folder (README, “Bring your own image–text model”)."
            )
        return model

    def models(self) -> list:
        return [self.model()]

    def model_versions(self) -> dict[str, str]:
        return image_embedding_versions(self.model())

    def analyze(self, photo: Photo) -> Facts:
        model = self.model()
        try:
            return {"image_embedding": embed_photo(model, photo.working)}
        except ClipFolderError as exc:  # a graph whose tensors do not match the folder
            raise AnalyzerError(f"CLIP_MODEL_DIR: {exc}") from exc


def embed_photo(model: ClipModel, pixels) -> bytes:
    return np.asarray(model.embed_image(pixels), np.float32).tobytes()
