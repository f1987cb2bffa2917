"""Which files of MODEL_DIR the configured analyzers and text embedder read.

Each InferenceModel names its files (`model_files()`); an analyzer's models follow from the
settings (CLASSIFIERS, FACE_RECOGNITION, ...), so a site that replaces the local labels by
Rekognition, or the text embedder by Bedrock, needs fewer files or none. Nothing is loaded.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

from photodesk.analysis import embedding
from photodesk.conf import photodesk_settings


def required_model_files() -> list[str]:
    """Paths relative to MODEL_DIR, each once, in the order of the settings. A dotted path
    that does not import, or an analyzer whose models refuse their settings (FACE_DETECTOR
    "retina"), is skipped here (the settings checks report them)."""
    paths: list[str] = []
    for dotted in photodesk_settings.ANALYZERS:
        try:
            analyzer = import_string(dotted)()
            models = analyzer.models()
        except (ImportError, ValueError):
            continue
        for model in models:
            paths.extend(getattr(model, "model_files", tuple)())
    try:
        target = import_string(photodesk_settings.TEXT_EMBEDDER)
    except ImportError:
        target = None
    # A class is a local model; a function builds a remote one (Bedrock) and needs no files.
    if isinstance(target, type) and photodesk_settings.clip_model_dir is None:
        # A joint model's folder is outside the manifest: photodesk.E070 checks it.
        paths.extend(getattr(embedding.embedder(), "model_files", tuple)())
    return list(dict.fromkeys(paths))
