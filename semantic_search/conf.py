"""Every Photodesk setting in one place, with its default.

Sites configure the plugin with one dict in their settings::

    PHOTODESK = {"IMAGE_MODEL": "cms_images.Image", "MODEL_DIR": "/srv/models", ...}

Code reads settings only through `photodesk_settings` so defaults and validation live here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

DEFAULTS: dict[str, Any] = {
    # The image model the plugin attaches to (any model with a FileField/ImageField).
    "IMAGE_MODEL": "cms_images.Image",
    # Name of the file field on that model.
    "IMAGE_FILE_FIELD": "file",
    # Where model files are found (see ../shared/models/README.md).
    "MODEL_DIR": "models",
    # Dotted path of the vector/keyword index backend.
    "INDEX_BACKEND": "semantic_search.index.embedded.EmbeddedIndex",
    # Where the embedded index persists itself.
    "INDEX_PATH": "var/index",
    "OPENSEARCH_URL": None,
    "OPENSEARCH_INDEX": "photodesk-images",
    # Analyzers run for each image, in order (dotted paths to Analyzer classes).
    "ANALYZERS": [
        "semantic_search.analyzers.metadata.MetadataAnalyzer",
        "semantic_search.analyzers.labels.LabelAnalyzer",
        "semantic_search.analyzers.faces.FaceAnalyzer",
        "semantic_search.analyzers.text.TextAnalyzer",
    ],
    # Classifiers whose logits are averaged (file names under MODEL_DIR/imagenet). Adding
    # mobilenet_v2 did not improve search on the evaluation set and costs 50 ms an image.
    "CLASSIFIERS": ["efficientnet_lite0"],
    # Where derived, rebuildable data is cached (class prompt embeddings).
    "CACHE_DIR": "var/cache",
    # Labels below this confidence (0-100) are not kept.
    "LABEL_MIN_CONFIDENCE": 5.0,
    # Hard limits on what the pipeline accepts.
    "MAX_FILE_BYTES": 50 * 1024 * 1024,
    "MAX_PIXELS": 80_000_000,
    # Threads per ONNX session (the worker is the unit of parallelism).
    "INFERENCE_THREADS": 1,
    # Run analysis inline instead of queueing it (tests, scripts).
    "ANALYZE_SYNC": False,
    # Weight of the keyword side in hybrid fusion (vector side is 1).
    "KEYWORD_WEIGHT": 1.0,
}

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".heic", ".heif")


class PhotodeskSettings:
    """Attribute access to PHOTODESK with defaults; re-reads Django settings each time so
    `override_settings` in tests works."""

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown Photodesk setting {name!r}")
        user = getattr(settings, "PHOTODESK", {}) or {}
        return user.get(name, DEFAULTS[name])

    @property
    def model_dir(self) -> Path:
        return Path(self.MODEL_DIR)

    @property
    def cache_dir(self) -> Path:
        return Path(self.CACHE_DIR)

    @property
    def index_path(self) -> Path:
        return Path(self.INDEX_PATH)


photodesk_settings = PhotodeskSettings()


@register()
def check_settings(app_configs, **kwargs) -> list:
    from django.apps import apps

    messages = []
    user = getattr(settings, "PHOTODESK", {}) or {}
    for key in user:
        if key not in DEFAULTS:
            messages.append(
                Error(
                    f"PHOTODESK has an unknown key {key!r}.",
                    id="photodesk.E001",
                    hint=f"Known keys: {', '.join(sorted(DEFAULTS))}.",
                )
            )
    try:
        model = apps.get_model(photodesk_settings.IMAGE_MODEL)
    except (LookupError, ValueError):
        messages.append(
            Error(
                f"PHOTODESK['IMAGE_MODEL'] = {photodesk_settings.IMAGE_MODEL!r} is not an "
                "installed model.",
                id="photodesk.E002",
            )
        )
    else:
        field = photodesk_settings.IMAGE_FILE_FIELD
        if field not in {f.name for f in model._meta.get_fields()}:
            messages.append(
                Error(
                    f"{model.__name__} has no field {field!r} (PHOTODESK['IMAGE_FILE_FIELD']).",
                    id="photodesk.E003",
                )
            )
    if getattr(settings, "PHOTODESK_IMAGE_MODEL", None) != photodesk_settings.IMAGE_MODEL:
        messages.append(
            Error(
                "PHOTODESK_IMAGE_MODEL must equal PHOTODESK['IMAGE_MODEL'] (migrations use it).",
                id="photodesk.E004",
            )
        )
    if not photodesk_settings.model_dir.is_dir():
        messages.append(
            Warning(
                f"Model directory {photodesk_settings.model_dir} does not exist; analysis "
                "will fail until model files are there.",
                id="photodesk.W001",
            )
        )
    return messages
