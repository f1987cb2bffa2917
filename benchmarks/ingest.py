"""Ingest throughput end to end, next to the raw model throughput measured in the same run.

End to end = `manage.py ingest --sync` into a fresh database (hashing, storage, decode, every
analyzer, embedding, DB write, index write). Raw = the same models called directly on images
already decoded in memory. The ratio says how much the plumbing costs.

Usage: python benchmarks/ingest.py [DIR]   (default ../shared/photos/demo)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["BENCH_DIR"] = tempfile.mkdtemp(prefix="photodesk-bench-ingest-")
from _setup import SHARED, django_setup  # noqa: E402


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED / "photos" / "demo"
    django_setup()
    from django.core.management import call_command
    from PIL import Image, ImageOps

    from photodesk.analysis import embedding
    from photodesk.analysis.pipeline import analyzers
    from photodesk.management.commands.ingest import find_images

    paths = find_images(folder)
    pixels = [ImageOps.exif_transpose(Image.open(p)).convert("RGB") for p in paths]

    # Warm up every model once so neither side pays the loading.
    for analyzer in analyzers():
        for model in analyzer.models():
            model.ensure_loaded()
    embedding.embedder().ensure_loaded()

    raw: dict[str, float] = {}
    for analyzer in analyzers():
        for model in analyzer.models():
            start = time.perf_counter()
            for img in pixels:
                model.predict(img)
            raw[model.name] = time.perf_counter() - start
    start = time.perf_counter()
    embedding.embedder().predict(["a photo of a tabby cat, a cat, animal, pet"] * len(pixels))
    raw["text embedding"] = time.perf_counter() - start
    raw_total = sum(raw.values())

    start = time.perf_counter()
    call_command("ingest", str(folder), sync=True, no_progress=True)
    end_to_end = time.perf_counter() - start

    n = len(paths)
    print(f"{n} images from {folder}")
    for name, seconds in raw.items():
        print(f"  raw {name:<32} {seconds / n * 1000:8.1f} ms/img")
    print(f"raw models total        {n / raw_total:6.2f} img/s ({raw_total / n * 1000:.0f} ms/img)")
    print(
        f"end to end (ingest)     {n / end_to_end:6.2f} img/s ({end_to_end / n * 1000:.0f} ms/img)"
    )
    print(f"end-to-end / raw speed  {raw_total / end_to_end:6.2f}  (1.00 = no overhead)")


if __name__ == "__main__":
    main()
