"""The analyzer contract: a decoded photo in, facts out. Analyzers never touch the database.

The facts are typed here: `Facts` names every ImageAnalysis field an analyzer may set, and
the pipeline refuses any other key (an analyzer must not overwrite the analysis's status,
versions or vector, which the pipeline owns).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, NotRequired, Required, TypedDict, cast

import numpy as np
from PIL import Image


@dataclass
class Photo:
    """One decoded image, shared by every analyzer of a run (decode once)."""

    pixels: Image.Image  # RGB, EXIF orientation applied
    source: Image.Image  # the file as opened, with its EXIF/IPTC blocks
    filename: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Detection(TypedDict, total=False):
    """One thing a label model saw: a class it outputs, or a broader concept of those."""

    name: Required[str]
    confidence: Required[float]  # 0–100
    source: Required[str]  # the model(s) or provider that said so
    kind: Required[str]  # "class" or "concept"
    index: int  # the classifier's class index (ImageNet)
    provider: str  # a provider's named detection (e.g. "rekognition"), mapped by name
    parents: list[str]
    aliases: list[str]
    boxes: list[list[int]]  # [x, y, w, h] in pixels, one per instance


class TextLine(TypedDict):
    """One line of text read in the image, in reading order."""

    text: str
    confidence: float  # 0–1
    box: list  # [[x, y] x4] or [x, y, w, h], in pixels


class FaceFact(TypedDict):
    """One face, the contract every face provider returns. The pipeline keeps a summary on
    the analysis and stores the whole face (embedding included) as a Face row."""

    box: list[int]  # [x, y, w, h] in pixels
    score: float  # detection confidence, 0–1
    embedding: np.ndarray | None  # 128-d, when recognition is on and the provider gives one
    expression: str
    expression_confidence: float | None
    quality: float  # 0–1
    usable: bool  # worth recognising / naming
    attributes: NotRequired[dict[str, Any]]  # a provider's extras (age range, pose, …)
    person: NotRequired[dict[str, Any]]  # a provider's identification {name, external_ids, …}


class Facts(TypedDict, total=False):
    """What analyzers return: ImageAnalysis field name → value, only the ones they know."""

    labels: list[Detection]
    concepts: dict[str, float]  # ImageNet class index (as a string) → probability
    visual_embedding: bytes | None  # float32 classifier embedding
    faces: list[FaceFact]
    face_count: int
    ocr_text: str
    ocr_lines: list[TextLine]
    photo_metadata: dict[str, Any]
    safety_score: float | None  # 0–1
    flagged: bool
    image_embedding: bytes | None  # float32, in the query vectors' space


# The ImageAnalysis fields an analyzer may set.
FACT_FIELDS: frozenset[str] = frozenset(Facts.__annotations__)


class AnalyzerError(RuntimeError):
    """An analyzer cannot produce its facts for a reason a retry will not fix (a provider
    refused the request: permissions, quota settings, an image it does not accept). The
    pipeline records the analysis as failed with this message; the image is kept."""


class UnknownFactError(AnalyzerError):
    """An analyzer returned a key that is not a fact (see `Facts`): a bug in the analyzer,
    raised before anything is stored. A retry would fail the same way, so the analysis is
    recorded as failed with this message, like any AnalyzerError."""


class Analyzer:
    """One kind of fact. Subclasses set `key` and implement `analyze`.

    `analyze` returns `Facts`: a dict whose keys are ImageAnalysis fact fields; the pipeline
    persists it.
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

    def analyze(self, photo: Photo) -> Facts:
        raise NotImplementedError

    def analyze_batch(self, photos: list[Photo]) -> list[Facts]:
        """`analyze` for several photos (a video's frames), in order. An analyzer whose model
        takes a batch dimension overrides this to run the model once for all of them."""
        return [self.analyze(photo) for photo in photos]


def checked_facts(analyzer: Analyzer, facts: dict[str, Any]) -> Facts:
    """`facts` if every key is a fact field; else UnknownFactError naming the analyzer and
    the keys, so a misbehaving analyzer cannot overwrite what the pipeline owns."""
    unknown = sorted(set(facts) - FACT_FIELDS)
    if unknown:
        name = f"{type(analyzer).__module__}.{type(analyzer).__qualname__}"
        raise UnknownFactError(
            f"Analyzer {name} (key {analyzer.key!r}) returned {', '.join(map(repr, unknown))}, "
            f"which is not a fact an analyzer may set (facts: {', '.join(sorted(FACT_FIELDS))})."
        )
    return cast(Facts, facts)
