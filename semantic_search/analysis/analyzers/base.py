"""The analyzer contract: a decoded photo in, facts out. Analyzers never touch the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from PIL import Image


@dataclass
class Photo:
    """One decoded image, shared by every analyzer of a run (decode once)."""

    pixels: Image.Image  # RGB, EXIF orientation applied
    source: Image.Image  # the file as opened, with its EXIF/IPTC blocks
    filename: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class AnalyzerError(RuntimeError):
    """An analyzer cannot produce its facts for a reason a retry will not fix (a provider
    refused the request: permissions, quota settings, an image it does not accept). The
    pipeline records the analysis as failed with this message; the image is kept."""


class Analyzer:
    """One kind of fact. Subclasses set `key` and implement `analyze`.

    `analyze` returns a dict whose keys are ImageAnalysis field names; the pipeline persists it.
    """

    key: ClassVar[str] = ""

    def models(self) -> list:
        """The InferenceModels this analyzer uses (for versions and warm-up)."""
        return []

    def model_versions(self) -> dict[str, str]:
        return {m.name: m.version for m in self.models()}

    def api_calls(self) -> dict[str, int]:
        """Paid API calls one image costs ("rekognition:DetectLabels" → n); local: none."""
        return {}

    def analyze(self, photo: Photo) -> dict[str, Any]:
        raise NotImplementedError
