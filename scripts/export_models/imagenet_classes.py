"""Write imagenet/classes.txt: the 1000 ImageNet class names, one a line, in logit order.

The names are torchvision's `_IMAGENET_CATEGORIES` (BSD-3-Clause), read from the source file
`torchvision/models/_meta.py` inside the pinned torchvision 0.20.1 wheel from PyPI (7 MB): the
wheel is opened as a zip and the list is parsed as a Python literal, so neither torch nor
torchvision is installed or imported.

    python scripts/export_models/imagenet_classes.py --out DIR [--wheel torchvision-….whl]
    python manage.py photodesk_models fetch --from DIR imagenet/classes.txt

Check: the output is byte-identical to the manifest's file (the script prints both SHA-256s
and exits 1 if they differ); first line "tench", line 135 "crane bird", last "toilet tissue".
"""

from __future__ import annotations

import argparse
import ast
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import pinned, report  # noqa: E402

TORCHVISION_WHEEL = (
    "https://files.pythonhosted.org/packages/de/e9/"
    "e190ecec448d5a2abad8348cf085fcb39962a491e3f40dcb023721e04feb/"
    "torchvision-0.20.1-cp311-cp311-manylinux1_x86_64.whl"
)
TORCHVISION_SHA256 = "86f6523dee420000fe14c3527f6c8e0175139fda7d995b187f54a0b0ebec7eb6"
META = "torchvision/models/_meta.py"


def categories(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        tree = ast.parse(zf.read(META).decode())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "_IMAGENET_CATEGORIES" for t in node.targets
        ):
            names = ast.literal_eval(node.value)
            if len(names) != 1000:
                raise SystemExit(f"{META}: {len(names)} ImageNet categories, expected 1000")
            return names
    raise SystemExit(f"{META} has no _IMAGENET_CATEGORIES")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="Folder laid out like MODEL_DIR.")
    parser.add_argument("--wheel", type=Path, help="The torchvision wheel, if already here.")
    args = parser.parse_args(argv)
    wheel = pinned(TORCHVISION_WHEEL, TORCHVISION_SHA256, args.wheel)
    target = args.out / "imagenet" / "classes.txt"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(f"{name}\n" for name in categories(wheel)), encoding="utf-8")
    return 0 if report(target, "imagenet/classes.txt") else 1


if __name__ == "__main__":
    sys.exit(main())
