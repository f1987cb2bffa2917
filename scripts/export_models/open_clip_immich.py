"""Export an open_clip model to the folder layout Photodesk's CLIP_MODEL_DIR reads (Immich's).

For a model that has no ready export on Hugging Face (immich-app/<name>); the ready ones are
simply downloaded (README, "Bring your own image–text model"). Not run in this repository:
it needs PyTorch, which Photodesk itself never installs. Run it on a machine with internet:

    pip install torch open_clip_torch onnx huggingface_hub
    python scripts/export_models/open_clip_immich.py ViT-B-16-SigLIP webli \\
        --tokenizer timm/ViT-B-16-SigLIP --out /srv/models/clip

It writes OUT/<model>__<pretrained>/ with
    config.json                        open_clip's model config (embed_dim, text_cfg)
    visual/model.onnx                  "image" float32 [N, 3, S, S] → "embedding" [N, D]
    visual/preprocess_cfg.json         size, mean, std, interpolation, resize_mode
    textual/model.onnx                 "text" int32 [N, context] → "embedding" [N, D]
    textual/tokenizer.json, textual/tokenizer_config.json   from the --tokenizer repository
and checks that the ONNX vectors match PyTorch's (cosine >= 0.999) on a test image and text.
Then point PHOTODESK["CLIP_MODEL_DIR"] at the folder and run `manage.py check --deploy`.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", help="open_clip model name, e.g. ViT-B-32")
    parser.add_argument("pretrained", help="open_clip pretrained tag, e.g. openai")
    parser.add_argument(
        "--tokenizer",
        default="openai/clip-vit-base-patch32",
        help="Hugging Face repository with tokenizer.json and tokenizer_config.json for the "
        "model's text side (OpenAI CLIP: openai/clip-vit-base-patch32)",
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()

    import numpy as np
    import onnxruntime as ort
    import open_clip
    import torch
    from huggingface_hub import hf_hub_download
    from PIL import Image

    model, _, transform = open_clip.create_model_and_transforms(
        args.model, pretrained=args.pretrained
    )
    model.eval()
    tokenizer = open_clip.get_tokenizer(args.model)
    folder = args.out / f"{args.model}__{args.pretrained}"
    (folder / "visual").mkdir(parents=True, exist_ok=True)
    (folder / "textual").mkdir(parents=True, exist_ok=True)

    config = open_clip.get_model_config(args.model)
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    preprocess = dict(model.visual.preprocess_cfg)
    size = preprocess["size"]
    size = size[0] if isinstance(size, list | tuple) else size
    preprocess.setdefault("interpolation", "bicubic")
    preprocess.setdefault("resize_mode", "shortest")
    (folder / "visual" / "preprocess_cfg.json").write_text(json.dumps(preprocess, indent=2))

    class Visual(torch.nn.Module):
        def forward(self, image):
            return model.encode_image(image)

    class Textual(torch.nn.Module):
        def forward(self, text):
            return model.encode_text(text.long())

    image = torch.zeros(1, 3, size, size)
    context = int(config.get("text_cfg", {}).get("context_length", 77))
    text = tokenizer(["a photo of a dog"]).to(torch.int32)[:, :context]
    for module, sample, name, path in (
        (Visual(), image, "image", folder / "visual" / "model.onnx"),
        (Textual(), text, "text", folder / "textual" / "model.onnx"),
    ):
        torch.onnx.export(
            module,
            (sample,),
            str(path),
            input_names=[name],
            output_names=["embedding"],
            dynamic_axes={name: {0: "N"}, "embedding": {0: "N"}},
            opset_version=args.opset,
        )

    for filename in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(hf_hub_download(args.tokenizer, filename), folder / "textual" / filename)

    # The exported graphs must give PyTorch's vectors.
    photo = transform(Image.new("RGB", (640, 480), (180, 120, 60)))[None]
    with torch.no_grad():
        expected = [model.encode_image(photo).numpy(), model.encode_text(text.long()).numpy()]
    got = [
        ort.InferenceSession(str(folder / "visual" / "model.onnx")).run(
            None, {"image": photo.numpy()}
        )[0],
        ort.InferenceSession(str(folder / "textual" / "model.onnx")).run(
            None, {"text": text.numpy()}
        )[0],
    ]
    for side, a, b in zip(("visual", "textual"), expected, got, strict=True):
        cosine = float((a @ b.T).item() / (np.linalg.norm(a) * np.linalg.norm(b)))
        print(f"{side}: cosine to PyTorch {cosine:.5f}")
        if cosine < 0.999:
            raise SystemExit(f"{side} export differs from PyTorch (cosine {cosine:.5f})")
    print(f"Written {folder}")


if __name__ == "__main__":
    main()
