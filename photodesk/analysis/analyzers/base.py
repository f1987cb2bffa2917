"""The analyzer contract: a decoded photo in, facts out. Analyzers never touch the database.

The facts are typed here: `Facts` names every ImageAnalysis field an analyzer may set, and
the pipeline refuses any other key (an analyzer must not overwrite the analysis's status,
versions or vector, which the pipeline owns).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, NotRequired, Required, TypedDict, cast

import numpy as np
from PIL import Image

# The long side of the shared working copy: what the face detector looks at (a 1024-px photo
# upsampled once finds faces of ~40 px) and more than the classifiers' 224-px views need.
WORKING_SIDE = 1024


class Photo:
    """One decoded image, shared by every analyzer of a run (decode once).

    `pixels` is the upright RGB photo at full size: every box an analyzer stores is in its
    pixels. A large photo's full size is decoded only when something asks for it (faces found,
    text read); `working` is one shared copy at most WORKING_SIDE long, which `working_scale`
    (working / original, <= 1) maps back to original pixels."""

    def __init__(
        self,
        pixels: Image.Image | None = None,
        source: Image.Image | None = None,
        filename: str = "",
        extra: dict[str, Any] | None = None,
        *,
        working: Image.Image | None = None,
        size: tuple[int, int] | None = None,
        load: Callable[[], Image.Image] | None = None,
    ) -> None:
        if pixels is None and (load is None or working is None or size is None):
            raise ValueError("A Photo needs its pixels, or a working copy, its size and a loader.")
        self._pixels = pixels
        self._load = load
        self.source = source if source is not None else pixels  # the file as opened (EXIF, IPTC)
        self.filename = filename
        self.extra: dict[str, Any] = extra if extra is not None else {}
        self.size: tuple[int, int] = size or pixels.size  # type: ignore[union-attr]
        self._working = working

    @property
    def pixels(self) -> Image.Image:
        if self._pixels is None:
            self._pixels = self._load()  # type: ignore[misc]
        return self._pixels

    @property
    def working(self) -> Image.Image:
        if self._working is None:
            self._working = at_most(self.pixels, WORKING_SIDE)
        return self._working

    @property
    def working_scale(self) -> float:
        return self.working.width / self.size[0]


def at_most(img: Image.Image, side: int, reducing_gap: float = 3.0) -> Image.Image:
    """`img` shrunk to at most `side` on its long side (itself if it is no larger)."""
    scale = side / max(img.size)
    if scale >= 1:
        return img
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    # reducing_gap: a cheap integer reduce first, then the filter on the smaller image.
    return img.resize(size, Image.Resampling.BILINEAR, reducing_gap=reducing_gap)


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
