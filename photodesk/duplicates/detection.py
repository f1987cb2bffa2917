"""Is this the same picture? Two signals, measured on copies of the eval photos
(benchmarks/duplicates.py):

- the classifier's visual vector (stored by analysis): copies stay close to their original
  whatever was done to them (a 10 % crop included), distinct photos rarely come near;
- the perceptual hash (fingerprint.py): resized and re-encoded copies differ from their
  original in a few bits, marked and cropped ones in more, distinct photos in about half.
Each alone has a weak side (a half-size copy moves the vector, a crop moves the hash); a
pair is the same picture when both agree within the bounds below.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from photodesk.analysis.analyzers.labels import LabelAnalyzer

# Measured on 440 eval photos and 1,760 copies (README, "Duplicates"): distinct photos came
# no closer than cosine 0.835 and 14 differing bits; copies differed by at most 4 bits when
# resized, 2 when re-encoded, 14 under a text band, 20 when cropped by 10 %, and stayed above
# cosine 0.76 (a half-size copy), 0.86 (the others), 0.9 (cropped).
# Few bits apart: the same picture unless the vectors disagree outright (flat, nearly
# uniform pictures hash alike).
HASH_SURE_BITS = 8
HASH_SURE_MIN_COSINE = 0.6
# Close vectors and a hash in the copies' range (a caption band, a watermark).
CLOSE_COSINE = 0.85
CLOSE_BITS = 16
# Very close vectors: a crop moves the hash more, the vector little.
SURE_COSINE = 0.90
SURE_BITS = 24
# Visual neighbours worth judging: the loosest cosine above, less a margin for the index's
# approximate (half-precision) distances.
CANDIDATE_COSINE = CLOSE_COSINE - 0.02


def same_picture(cosine: np.ndarray | float, bits: np.ndarray | int) -> np.ndarray | bool:
    """Whether pairs with these visual cosines and hash distances show one picture."""
    cosine, bits = np.asarray(cosine), np.asarray(bits)
    return (
        ((bits <= HASH_SURE_BITS) & (cosine >= HASH_SURE_MIN_COSINE))
        | ((cosine >= CLOSE_COSINE) & (bits <= CLOSE_BITS))
        | ((cosine >= SURE_COSINE) & (bits <= SURE_BITS))
    )


def visual_vector(pixels: Image.Image) -> np.ndarray:
    """The visual vector analysis stores (the first configured classifier's embedding), for
    pictures outside the archive (the benchmark)."""
    return np.asarray(LabelAnalyzer().models()[0].predict(pixels)[1], dtype=np.float32)
