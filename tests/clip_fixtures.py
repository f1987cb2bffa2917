"""Tiny CLIP-family model folders in Immich's layout, built with onnx.helper (no real weights).

The visual graph averages each channel of the normalised image, keeps the positive part and
maps red, green and blue to the first three of D=4 dimensions; the textual graph sums a token
embedding table in which "crimson", "verdant" and "azure" are those same three directions (and
every other word is zero). So a red photo matches "crimson", a blue one "azure".
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

DIMENSION = 4
SIZE = 8
CONTEXT = 8
MEAN = (0.5, 0.5, 0.5)
STD = (0.5, 0.5, 0.5)
VOCAB = ["<pad>", "<unk>", "a", "photo", "of", "news", "picture", "crimson", "verdant", "azure"]
COLOUR_WORDS = {"crimson": 0, "verdant": 1, "azure": 2}


def token_table() -> np.ndarray:
    table = np.zeros((len(VOCAB), DIMENSION), np.float32)
    for word, axis in COLOUR_WORDS.items():
        table[VOCAB.index(word), axis] = 1.0
    return table


def visual_graph(path: Path, dimension: int = DIMENSION, input_name: str = "image") -> None:
    from onnx import TensorProto, helper, numpy_helper

    weights = np.zeros((3, dimension), np.float32)
    for channel in range(3):
        weights[channel, channel] = 1.0
    nodes = [
        helper.make_node("GlobalAveragePool", [input_name], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
        helper.make_node("Relu", ["flat"], ["positive"]),
        helper.make_node("MatMul", ["positive", "W"], ["embedding"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny-visual",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["N", 3, SIZE, SIZE])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", dimension])],
        [numpy_helper.from_array(weights, "W")],
    )
    _save(graph, path)


def textual_graph(path: Path, multilingual: bool = False, inputs: tuple[str, ...] = ()) -> None:
    from onnx import TensorProto, helper, numpy_helper

    axes = numpy_helper.from_array(np.array([1], np.int64), "axes")
    table = numpy_helper.from_array(token_table(), "table")
    if multilingual:
        ids, mask = inputs or ("input_ids", "attention_mask")
        nodes = [
            helper.make_node("Gather", ["table", ids], ["tokens"], axis=0),
            helper.make_node("Cast", [mask], ["mask_f"], to=TensorProto.FLOAT),
            helper.make_node("Unsqueeze", ["mask_f", "two"], ["mask3"]),
            helper.make_node("Mul", ["tokens", "mask3"], ["kept"]),
            helper.make_node("ReduceSum", ["kept", "axes"], ["embedding"], keepdims=0),
        ]
        graph_inputs = [
            helper.make_tensor_value_info(name, TensorProto.INT64, ["N", CONTEXT])
            for name in (ids, mask)
        ]
        init = [table, axes, numpy_helper.from_array(np.array([2], np.int64), "two")]
    else:
        (text,) = inputs or ("text",)
        nodes = [
            helper.make_node("Gather", ["table", text], ["tokens"], axis=0),
            helper.make_node("ReduceSum", ["tokens", "axes"], ["embedding"], keepdims=0),
        ]
        graph_inputs = [helper.make_tensor_value_info(text, TensorProto.INT32, ["N", CONTEXT])]
        init = [table, axes]
    graph = helper.make_graph(
        nodes,
        "tiny-textual",
        graph_inputs,
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", DIMENSION])],
        init,
    )
    _save(graph, path)


def _save(graph, path: Path) -> None:
    import onnx
    from onnx import helper

    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # readable by every onnxruntime >= 1.14
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))


def tokenizer_file(path: Path) -> None:
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(VOCAB)}, unk_token="<unk>"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(path))


def build_folder(
    root: Path,
    name: str = "tiny-openclip",
    *,
    multilingual: bool = False,
    preprocess: dict | None = None,
) -> Path:
    """A complete model folder; tests break a copy of it to see the refusals."""
    folder = root / name
    (folder / "visual").mkdir(parents=True, exist_ok=True)
    (folder / "textual").mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(
        json.dumps({"embed_dim": DIMENSION, "text_cfg": {"context_length": CONTEXT}})
    )
    (folder / "visual" / "preprocess_cfg.json").write_text(
        json.dumps(
            preprocess
            or {
                "size": [SIZE, SIZE],
                "mode": "RGB",
                "mean": list(MEAN),
                "std": list(STD),
                "interpolation": "bicubic",
                "resize_mode": "shortest",
            }
        )
    )
    visual_graph(folder / "visual" / "model.onnx")
    textual_graph(folder / "textual" / "model.onnx", multilingual=multilingual)
    tokenizer_file(folder / "textual" / "tokenizer.json")
    (folder / "textual" / "tokenizer_config.json").write_text(json.dumps({"pad_token": "<pad>"}))
    return folder


@pytest.fixture(scope="session")
def tiny_clip(tmp_path_factory) -> dict[str, Path]:
    """The two tiny folders, built once per session: OpenCLIP-style and multilingual."""
    root = tmp_path_factory.mktemp("clip-models")
    return {
        "openclip": build_folder(root, "tiny-openclip"),
        "multilingual": build_folder(root, "tiny-mclip", multilingual=True),
    }
