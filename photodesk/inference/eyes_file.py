"""Getting the face-mesh file out of the mediapipe wheel with pip (no Django).

The file is not in the model manifest's shared folder: it comes from PyPI through pip itself
(`pip download`, so a site's index, proxy or wheelhouse applies), pinned by the wheel's and
the file's SHA-256. Nothing of mediapipe is installed or imported.

    python -m photodesk.inference.eyes_file DIR   # writes DIR/face_landmark/face_landmark.tflite
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

RELATIVE = "face_landmark/face_landmark.tflite"
MEMBER = "mediapipe/modules/face_landmark/face_landmark.tflite"
# The last mediapipe release whose wheels carry the file; every platform's wheel holds the
# same bytes, so any one pip picks will do.
REQUIREMENT = "mediapipe==0.10.21"
SIZE = 1_242_398
SHA256 = "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def present(model_dir: Path) -> bool:
    path = Path(model_dir) / RELATIVE
    return path.is_file() and path.stat().st_size == SIZE


def fetch(model_dir: Path) -> Path:
    """DIR/face_landmark/face_landmark.tflite, from a wheel pip downloads (once)."""
    target = Path(model_dir) / RELATIVE
    if present(model_dir):
        return target
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", REQUIREMENT, "--no-deps", "-q", "-d", tmp],
            check=True,
        )
        wheel = next(Path(tmp).glob("mediapipe-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(MEMBER)
    if len(data) != SIZE or _sha256(data) != SHA256:
        raise RuntimeError(f"{MEMBER} of {REQUIREMENT} is not the pinned file (SHA-256 differs)")
    target.parent.mkdir(parents=True, exist_ok=True)
    # One part file per process: two test workers may fetch at once; the rename is atomic.
    part = target.with_name(f"{target.name}.{os.getpid()}.part")
    part.write_bytes(data)
    part.replace(target)
    return target


if __name__ == "__main__":
    print(fetch(Path(sys.argv[1] if len(sys.argv) > 1 else "var/models")))
