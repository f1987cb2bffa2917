"""A CLIP-family image–text model in Immich's ONNX folder layout (no Django here).

    FOLDER/config.json                  embed_dim, text_cfg.context_length (default 77)
    FOLDER/visual/model.onnx            [N, 3, H, W] float32 → [N, D]
    FOLDER/visual/preprocess_cfg.json   size, mean, std, interpolation, resize_mode
    FOLDER/textual/model.onnx           tokens → [N, D]: one token input (OpenCLIP: "text"),
                                        or input_ids + attention_mask (multilingual CLIP)
    FOLDER/textual/tokenizer.json       a Hugging Face `tokenizers` file
    FOLDER/textual/tokenizer_config.json  pad_token

Images and texts land in one space, so an image's own vector can be searched with a text
query and compared with label prompts. Input and output names and types are read from the
graphs; a folder that does not match is refused by `ClipFolderError`, naming the file or
tensor. Vectors are L2-normalised (the index compares cosines).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from photodesk.inference.base import InferenceModel, onnx_session

CONFIG = "config.json"
VISUAL = "visual/model.onnx"
PREPROCESS = "visual/preprocess_cfg.json"
TEXTUAL = "textual/model.onnx"
TOKENIZER = "textual/tokenizer.json"
TOKENIZER_CONFIG = "textual/tokenizer_config.json"
FILES = (CONFIG, VISUAL, PREPROCESS, TEXTUAL, TOKENIZER, TOKENIZER_CONFIG)

INTERPOLATIONS = {
    "bicubic": Image.Resampling.BICUBIC,
    "bilinear": Image.Resampling.BILINEAR,
    "nearest": Image.Resampling.NEAREST,
    "lanczos": Image.Resampling.LANCZOS,
}
RESIZE_MODES = ("shortest", "squash")
TOKEN_TYPES = {"tensor(int32)": np.int32, "tensor(int64)": np.int64}


class ClipFolderError(ValueError):
    """The folder is not a CLIP model in the expected layout; the message names the file or
    tensor that is wrong and what was expected."""


def _read_json(folder: Path, relative: str) -> dict[str, Any]:
    path = folder / relative
    if not path.is_file():
        raise ClipFolderError(f"{path} is missing (a CLIP model folder needs {', '.join(FILES)}).")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ClipFolderError(f"{path} is not readable JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ClipFolderError(f"{path} must hold a JSON object.")
    return data


@dataclass(frozen=True)
class Preprocess:
    """open_clip's image transform: resize (short side to `size`, then a centre crop; or
    squash to size x size), RGB / 255, (x - mean) / std, channels first."""

    size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    interpolation: str = "bicubic"
    resize_mode: str = "shortest"

    @classmethod
    def from_config(cls, config: dict[str, Any], where: str) -> Preprocess:
        try:
            size = config["size"]
            size = int(size[0] if isinstance(size, list) else size)
            mean = tuple(float(v) for v in config["mean"])
            std = tuple(float(v) for v in config["std"])
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ClipFolderError(
                f"{where} must give size, mean and std (3 values each): {exc!r}"
            ) from exc
        interpolation = str(config.get("interpolation", "bicubic"))
        resize_mode = str(config.get("resize_mode", "shortest"))
        if len(mean) != 3 or len(std) != 3 or size <= 0 or not all(std):
            raise ClipFolderError(f"{where}: mean and std need 3 values (std not 0), size > 0.")
        if interpolation not in INTERPOLATIONS:
            raise ClipFolderError(
                f"{where}: interpolation {interpolation!r} is not one of {sorted(INTERPOLATIONS)}."
            )
        if resize_mode not in RESIZE_MODES:
            raise ClipFolderError(
                f"{where}: resize_mode {resize_mode!r} is not one of {list(RESIZE_MODES)}."
            )
        return cls(size, mean, std, interpolation, resize_mode)  # type: ignore[arg-type]

    def resize(self, image: Image.Image) -> Image.Image:
        image = image.convert("RGB")
        resample = INTERPOLATIONS[self.interpolation]
        if self.resize_mode == "squash":
            return image.resize((self.size, self.size), resample)
        scale = self.size / min(image.size)
        width = max(self.size, round(image.width * scale))
        height = max(self.size, round(image.height * scale))
        image = image.resize((width, height), resample)
        left, top = round((width - self.size) / 2), round((height - self.size) / 2)
        return image.crop((left, top, left + self.size, top + self.size))

    def __call__(self, image: Image.Image) -> np.ndarray:
        """float32 [3, size, size]."""
        pixels = np.asarray(self.resize(image), np.float32) / 255.0
        pixels = (pixels - np.array(self.mean, np.float32)) / np.array(self.std, np.float32)
        return pixels.transpose(2, 0, 1).astype(np.float32)


@dataclass(frozen=True)
class ClipFolder:
    """What the small files of a model folder say; read without loading a graph."""

    path: Path
    dimension: int
    context_length: int
    preprocess: Preprocess
    pad_token: str

    @property
    def name(self) -> str:
        return self.path.name


def read_folder(folder: Path) -> ClipFolder:
    """The folder's configuration, or ClipFolderError naming the missing or wrong file."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ClipFolderError(f"{folder} is not a folder (expected a CLIP model folder).")
    for relative in (VISUAL, TEXTUAL, TOKENIZER):
        if not (folder / relative).is_file():
            raise ClipFolderError(
                f"{folder / relative} is missing (a CLIP model folder needs {', '.join(FILES)})."
            )
    config = _read_json(folder, CONFIG)
    text_cfg = config.get("text_cfg") or {}
    try:
        dimension = int(config["embed_dim"])
        context_length = int(text_cfg.get("context_length", 77))
    except (KeyError, TypeError, ValueError) as exc:
        raise ClipFolderError(
            f"{folder / CONFIG} must give embed_dim (and text_cfg.context_length): {exc!r}"
        ) from exc
    if dimension <= 0 or context_length <= 0:
        raise ClipFolderError(f"{folder / CONFIG}: embed_dim and context_length must be > 0.")
    preprocess = Preprocess.from_config(_read_json(folder, PREPROCESS), str(folder / PREPROCESS))
    tokenizer_config = _read_json(folder, TOKENIZER_CONFIG)
    pad_token = tokenizer_config.get("pad_token")
    if isinstance(pad_token, dict):  # the AddedToken form: {"content": "<pad>", ...}
        pad_token = pad_token.get("content")
    if not isinstance(pad_token, str) or not pad_token:
        raise ClipFolderError(f"{folder / TOKENIZER_CONFIG} must name a pad_token.")
    return ClipFolder(folder, dimension, context_length, preprocess, pad_token)


_hash_lock = threading.Lock()
_hashes: dict[tuple, str] = {}


def folder_hash(folder: Path) -> str:
    """SHA-256 (first 12 hex digits) of the model's files, recorded with every vector so a
    changed file is detected. Hashed once per process while sizes and times stay the same."""
    stats = tuple(
        (relative, (folder / relative).stat().st_size, (folder / relative).stat().st_mtime_ns)
        for relative in FILES
    )
    key = (str(folder), stats)
    with _hash_lock:
        known = _hashes.get(key)
        if known is None:
            digest = hashlib.sha256()
            for relative in FILES:
                digest.update(relative.encode() + b"\0")
                with open(folder / relative, "rb") as handle:
                    while chunk := handle.read(1 << 20):
                        digest.update(chunk)
            known = _hashes[key] = digest.hexdigest()[:12]
    return known


def _static(dim: Any) -> int | None:
    return dim if isinstance(dim, int) and dim > 0 else None


def _check_output(session: Any, path: Path, dimension: int) -> str:
    outputs = session.get_outputs()
    if not outputs:
        raise ClipFolderError(f"{path} has no output.")
    out = outputs[0]
    if len(out.shape) != 2 or _static(out.shape[1]) not in (None, dimension):
        raise ClipFolderError(
            f"{path}: output {out.name!r} has shape {out.shape}, expected [N, {dimension}] "
            f"(embed_dim of {CONFIG})."
        )
    return out.name


class ClipModel(InferenceModel):
    """`predict(texts)` → float32 [n, D] and `embed_image(pixels)` → float32 [D], unit length,
    in one space. `name` is the folder's name, `version` the hash of its files."""

    embeds_images = True
    #: An image's vector is its own visual embedding (not placed through its labels).
    joint = True
    recipe = "clip-visual-1"

    def __init__(self, model_dir: Path, threads: int = 1, folder: str = "") -> None:
        super().__init__(model_dir, threads)
        self.folder = read_folder(Path(folder))
        self.name = self.folder.name
        self.dimension = self.folder.dimension

    @property
    def version(self) -> str:  # type: ignore[override]
        return folder_hash(self.folder.path)

    def model_files(self) -> tuple[str, ...]:
        return ()  # outside MODEL_DIR's manifest: read_folder and load() check them

    def load(self) -> None:
        from tokenizers import Tokenizer

        folder = self.folder
        visual_path, textual_path = folder.path / VISUAL, folder.path / TEXTUAL
        visual = onnx_session(visual_path, self.threads)
        inputs = visual.get_inputs()
        if len(inputs) != 1:
            raise ClipFolderError(
                f"{visual_path} has inputs {[i.name for i in inputs]}, expected one image input."
            )
        image_input = inputs[0]
        size = folder.preprocess.size
        shape = image_input.shape
        if (
            len(shape) != 4
            or _static(shape[1]) not in (None, 3)
            or any(_static(d) not in (None, size) for d in shape[2:])
        ):
            raise ClipFolderError(
                f"{visual_path}: input {image_input.name!r} has shape {shape}, expected "
                f"[N, 3, {size}, {size}] (size of {PREPROCESS})."
            )
        if image_input.type != "tensor(float)":
            raise ClipFolderError(
                f"{visual_path}: input {image_input.name!r} is {image_input.type}, expected "
                "tensor(float) (normalised pixels)."
            )
        self.visual_output = _check_output(visual, visual_path, folder.dimension)
        self.visual_input = image_input.name

        textual = onnx_session(textual_path, self.threads)
        names = {i.name: i for i in textual.get_inputs()}
        if {"input_ids", "attention_mask"} <= set(names):
            self.text_inputs = ("input_ids", "attention_mask")
        elif len(names) == 1:
            self.text_inputs = (next(iter(names)),)
        else:
            raise ClipFolderError(
                f"{textual_path} has inputs {sorted(names)}, expected one token input "
                "(OpenCLIP: 'text') or 'input_ids' and 'attention_mask' (multilingual CLIP)."
            )
        self.text_types = []
        for name in self.text_inputs:
            tensor = names[name]
            if tensor.type not in TOKEN_TYPES or len(tensor.shape) != 2:
                raise ClipFolderError(
                    f"{textual_path}: input {name!r} is {tensor.type} {tensor.shape}, expected "
                    "int32 or int64 [N, context length]."
                )
            if _static(tensor.shape[1]) not in (None, folder.context_length):
                raise ClipFolderError(
                    f"{textual_path}: input {name!r} takes {tensor.shape[1]} tokens but "
                    f"{CONFIG} says context_length {folder.context_length}."
                )
            self.text_types.append(TOKEN_TYPES[tensor.type])
        self.text_output = _check_output(textual, textual_path, folder.dimension)
        # A graph exported for batch 1 is run one text (or image) at a time.
        self.text_batch = 1 if _static(names[self.text_inputs[0]].shape[0]) == 1 else 64

        try:
            tokenizer = Tokenizer.from_file(str(folder.path / TOKENIZER))
        except Exception as exc:
            raise ClipFolderError(f"{folder.path / TOKENIZER} cannot be read: {exc}") from exc
        pad_id = tokenizer.token_to_id(folder.pad_token)
        if pad_id is None:
            raise ClipFolderError(
                f"{folder.path / TOKENIZER_CONFIG}: pad_token {folder.pad_token!r} is not in "
                f"{TOKENIZER}'s vocabulary."
            )
        tokenizer.enable_truncation(max_length=folder.context_length)
        tokenizer.enable_padding(
            length=folder.context_length, pad_id=pad_id, pad_token=folder.pad_token
        )
        self.tokenizer = tokenizer
        self.visual, self.textual = visual, textual

    def _predict(self, texts: list[str]) -> np.ndarray:
        """Embed texts → float32 [len(texts), D], unit length."""
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        cleaned = [re.sub(r"\s+", " ", text).strip() for text in texts]
        out = []
        for start in range(0, len(cleaned), self.text_batch):
            encodings = self.tokenizer.encode_batch(cleaned[start : start + self.text_batch])
            columns = (
                [e.ids for e in encodings],
                [e.attention_mask for e in encodings],
            )
            feed = {
                name: np.array(column, dtype)
                for name, column, dtype in zip(
                    self.text_inputs, columns, self.text_types, strict=False
                )
            }
            out.append(self.textual.run([self.text_output], feed)[0])
        return _unit(np.concatenate(out))

    def embed_image(self, pixels: Image.Image) -> np.ndarray:
        """float32 [D], unit length."""
        self.ensure_loaded()
        batch = self.folder.preprocess(pixels)[None]
        return _unit(self.visual.run([self.visual_output], {self.visual_input: batch})[0])[0]


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, np.float32)
    return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
