"""Is this the same picture? Two signals, measured on copies of the eval photos
(benchmarks/duplicates.py):

- the classifier's visual vector (stored by analysis): copies stay very close to their
  original whatever was done to them (a 10 % crop included), distinct photos rarely come
  near; it finds the candidates;
- the perceptual hash (fingerprint.py): resized, re-encoded and marked copies differ from
  their original in a few bits, distinct photos in about half; it confirms a candidate the
  vector alone is less sure of, and tells a copy from a second frame of the same scene.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from photodesk.conf import photodesk_settings
from photodesk.inference.classifier import ImageNetClassifier
from photodesk.inference.registry import get_model

# A vector this close is the same picture on its own.
SURE_COSINE = 0.95
# A vector this close is the same picture when the hash agrees too.
CANDIDATE_COSINE = 0.85
HASH_BITS = 12
# Without vectors (or as a candidate on its own) a hash this close is the same picture.
HASH_ALONE_BITS = 6


def same_picture(cosine: np.ndarray | float, bits: np.ndarray | int) -> np.ndarray | bool:
    """Whether pairs with these vector similarities and hash distances show one picture."""
    cosine, bits = np.asarray(cosine), np.asarray(bits)
    return (cosine >= SURE_COSINE) | ((cosine >= CANDIDATE_COSINE) & (bits <= HASH_BITS))


def visual_vector(pixels: Image.Image) -> np.ndarray:
    """The visual vector analysis stores (the configured classifiers' mean embedding), for
    pictures outside the archive (the benchmark)."""
    models = [
        get_model(
            ImageNetClassifier,
            photodesk_settings.model_dir,
            photodesk_settings.INFERENCE_THREADS,
            arch=arch,
        )
        for arch in photodesk_settings.CLASSIFIERS
    ]
    return np.mean([m.predict(pixels)[1] for m in models], axis=0).astype(np.float32)
