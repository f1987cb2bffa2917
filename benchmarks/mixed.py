"""Search quality on a mixed archive: half the eval photos carry an agency caption, half none.

A newsroom's archive is like this: agency photos arrive with an IPTC caption, staff uploads with
none. Copies of ../shared/photos/eval are written to BENCH_DIR/mixed/photos (a temp folder when
BENCH_DIR is not set; never the repository); a fixed-seed half of them get one of captions 2-5
embedded as IPTC-IIM 2:120 (Caption/Abstract), the rest are byte-identical copies. All are
ingested into their own database and index (BENCH_DIR/mixed), then:

- Recall@1/5/10 of `search` with caption 1 of each photo (never the embedded one), reported
  separately for photos with and without an embedded caption;
- article precision@10 of `suggest` on this archive (relevance as in quality.py).

Usage: python benchmarks/quality.py --mixed [--re-embed] [--articles] [--set NAME=VALUE ...]
       (or python benchmarks/mixed.py; the first run ingests 440 photos: ~8 min)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import struct
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

SEED = 15
IPTC_CAPTION = 120  # IIM record 2, dataset 120: Caption/Abstract


def iptc_app13(datasets: list[tuple[int, str]]) -> bytes:
    """A JPEG APP13 segment holding IPTC-IIM record-2 datasets (Photoshop resource 0x0404)."""
    iim = b"".join(
        b"\x1c\x02" + bytes([tag]) + struct.pack(">H", len(v.encode())) + v.encode()
        for tag, v in datasets
    )
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim))
    resource += iim + (b"\x00" if len(iim) % 2 else b"")
    payload = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def with_caption(jpeg: bytes, caption: str) -> bytes:
    """The same JPEG (pixels untouched, not re-encoded) with an IPTC caption after SOI."""
    if jpeg[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    return jpeg[:2] + iptc_app13([(IPTC_CAPTION, caption)]) + jpeg[2:]


def bench_root() -> Path:
    base = os.environ.get("BENCH_DIR") or Path(tempfile.gettempdir()) / "photodesk-bench"
    return Path(base) / "mixed"


def write_archive(captions: list[dict], source: Path, target: Path) -> dict[str, str]:
    """Write the mixed archive; returns file -> embedded caption for the captioned half."""
    rng = random.Random(SEED)
    files = sorted(c["file"] for c in captions)
    by_file = {c["file"]: c["captions"] for c in captions}
    captioned = {
        f: rng.choice(by_file[f][1:5]).strip() for f in sorted(rng.sample(files, len(files) // 2))
    }
    target.mkdir(parents=True, exist_ok=True)
    for name in files:
        data = (source / name).read_bytes()
        if name in captioned:
            data = with_caption(data, captioned[name])
        out = target / name
        if not out.exists() or out.read_bytes() != data:
            out.write_bytes(data)
    return captioned


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--re-embed", action="store_true", help="Recompute image vectors from stored facts."
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Override a PHOTODESK setting for this run (JSON value), e.g. BORROW_WORDS=true; "
        "with --re-embed to apply it to the stored vectors.",
    )
    parser.add_argument(
        "--articles", action="store_true", help="Article precision@10 only (no caption queries)."
    )
    parser.add_argument("--mixed", action="store_true", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args(argv)

    root = bench_root()
    os.environ["BENCH_DIR"] = str(root)  # settings.bench: its own database, media and index
    from _setup import django_setup, override_photodesk
    from quality import EVAL, article_precision, load_eval, print_articles, recall

    captions, articles = load_eval()
    captioned = write_archive(captions, EVAL / "images", root / "photos")
    django_setup()
    override_photodesk(args.set)
    from django.core.management import call_command

    from photodesk.search.service import suggest_for_article

    started = time.perf_counter()
    call_command("ingest", str(root / "photos"), sync=True, no_progress=True)
    call_command("analyze", sync=True)
    print(f"ingest and analysis: {time.perf_counter() - started:.0f} s")
    if args.re_embed:
        call_command("reindex", re_embed=True)

    article_rankings = [
        [r.image.original_filename for r in suggest_for_article(title=a["title"], body=a["body"])]
        for a in articles
    ]
    if args.articles:
        print_articles(*article_precision(article_rankings, articles, captions), articles, captions)
        return
    queries = [c["captions"][0].strip() for c in captions]
    answers = [c["file"] for c in captions]
    query_file = root / "queries.txt"
    query_file.write_text("\n".join(queries) + "\n")
    started = time.perf_counter()
    out = io.StringIO()
    call_command("search", queries=query_file, limit=10, json=True, stdout=out)
    elapsed = time.perf_counter() - started
    rankings = [
        [r["original_filename"] for r in json.loads(line)] for line in out.getvalue().splitlines()
    ]

    print(
        f"\nMixed archive: {len(captions)} photos, {len(captioned)} with an embedded caption "
        f"(seed {SEED}); query = caption 1 ({elapsed / len(queries) * 1000:.1f} ms per search)\n"
    )
    print(f"{'':24}{'n':>5}{'R@1':>7}{'R@5':>7}{'R@10':>7}")
    for label, keep in (
        ("with caption", lambda f: f in captioned),
        ("without caption", lambda f: f not in captioned),
        ("all", lambda f: True),
    ):
        idx = [i for i, a in enumerate(answers) if keep(a)]
        r = recall([rankings[i] for i in idx], [answers[i] for i in idx])
        print(f"{label:24}{len(idx):5d}{r[1]:7.3f}{r[5]:7.3f}{r[10]:7.3f}")
    print()
    print_articles(*article_precision(article_rankings, articles, captions), articles, captions)


if __name__ == "__main__":
    main()
