"""Text in images: TextReader with a gate (--gate, default "photo" as TEXT_GATE) against the
reader without one (full detection at 736 px on every photo), time and recall.

The reference is TextReader without the gate (`--reference rapidocr`: RapidOCR's whole
pipeline, detection on a copy enlarged to 736 px short side, capped at 2000 px long side, as
it ran before TextReader cut the boxes from the full image). The new reader gets the photo
and, for its gate, a copy at most 1024 px long, as the analysis pipeline passes its shared
working copy (made outside the timing: the pipeline makes it for every analyzer). Both run in
this process, one thread each, one after the other on the same photo, so their time ratio
holds on a busy machine. The share of photos the gate sends to full detection is reported per
group.

Photos:
- demo: /work/shared/photos/demo;
- eval: /work/shared/photos/eval/images (--eval N of them, 0 for all);
- rendered: demo photos with words drawn on them (plain text with an outline, and banners),
  text 1-8 % of the photo's height, made in memory;
- 12 MP: a few demo photos (rendered banners included) enlarged to 4000 x 3000 in memory.

Text-bearing photos are those where the reference reads lines. A reference line counts as found
when the candidate has a line with the same text or an edit-distance ratio >= 0.8; words are
counted the same way (a reference word found among the candidate's words). Lines at least
2 % of the photo's height are reported apart from smaller ones. On photos where the reference
reads nothing, every candidate line is a false line. Rendered photos also report how many of
the words drawn each reader reads.

Usage: python benchmarks/ocr_recall.py [--eval 120] [--side 640] [--gate regions|none] [--no-angle]
       [--big 6] [--reference rapidocr] [--engine openvino]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = ROOT.parent / "shared" / "photos"
MODELS = ROOT.parent / "shared" / "models"
sys.path.insert(0, str(ROOT))

WORDS = [
    *("STATION", "HARBOUR", "BRIDGE", "MARKET", "CLOSED", "EXIT", "POLICE", "TAXI", "HOTEL"),
    *("MUSEUM", "STREET", "VOTE", "STRIKE", "PEACE", "LIBRARY", "BAKERY", "FERRY", "PLATFORM"),
    *("NORTH", "SOUTH", "CINEMA", "GARAGE", "SCHOOL", "OPEN"),
]
TEXT_SHARES = (0.01, 0.015, 0.02, 0.03, 0.05, 0.08)
BIG = (4000, 3000)


def levenshtein_ratio(a: str, b: str) -> float:
    a, b = a.lower(), b.lower()
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1 - previous[-1] / max(len(a), len(b))


def found(text: str, candidates: list[str]) -> bool:
    return any(levenshtein_ratio(text, other) >= 0.8 for other in candidates)


def line_share(line: dict, height: int) -> float:
    box = np.asarray(line["box"], dtype=float)
    across = min(np.linalg.norm(box[0] - box[3]), np.linalg.norm(box[1] - box[2]))
    return across / height


def render(img, words: list[str], share: float, banner: bool, seed: int):
    """`img` with `words` drawn at `share` of its height, as a banner or outlined text."""
    from PIL import ImageDraw, ImageFont

    rng = random.Random(seed)
    img = img.copy()
    draw = ImageDraw.Draw(img)
    size = max(6, round(img.height * share))
    font = ImageFont.load_default(size=size)
    text = " ".join(words)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = rng.randint(0, max(0, img.width - (right - left) - 1))
    y = rng.randint(0, max(0, img.height - (bottom - top) - 1))
    if banner:
        pad = max(2, size // 4)
        colour = rng.choice([(255, 255, 255), (250, 220, 40), (30, 60, 160)])
        ink = (0, 0, 0) if sum(colour) > 400 else (255, 255, 255)
        draw.rectangle((x - pad, y - pad, x + right + pad, y + bottom + pad), fill=colour)
        draw.text((x, y), text, font=font, fill=ink)
    else:
        draw.text(
            (x, y),
            text,
            font=font,
            fill=(255, 255, 255),
            stroke_width=max(1, size // 12),
            stroke_fill=(0, 0, 0),
        )
    return img


def reference_reader(threads: int, kind: str):
    """The reader without the gate, or RapidOCR's whole pipeline ("rapidocr")."""
    from photodesk.inference.ocr import MIN_CHARACTERS, MIN_CONFIDENCE, TextReader

    class FullReader(TextReader):
        def _predict(self, img):
            result = self.engine(np.asarray(img))
            if result is None or result.txts is None:
                return []
            lines = []
            for text, score, box in zip(result.txts, result.scores, result.boxes, strict=False):
                if score >= MIN_CONFIDENCE and sum(c.isalnum() for c in text) >= MIN_CHARACTERS:
                    lines.append({"text": text.strip(), "box": np.asarray(box).round().tolist()})
            return lines

    reader = (
        FullReader(MODELS, threads=threads)
        if kind == "rapidocr"
        else TextReader(MODELS, threads=threads, gate=None)
    )
    reader.ensure_loaded()
    return reader


def timed(reader, img) -> tuple[list[dict], float]:
    start = time.perf_counter()
    lines = reader.predict(img)
    return lines, (time.perf_counter() - start) * 1000


def timed_read(reader, img):
    from photodesk.analysis.analyzers.base import WORKING_SIDE, at_most

    preview = at_most(img, WORKING_SIDE)  # the analysis's shared working copy
    start = time.perf_counter()
    reading = reader.read(img, preview=preview)
    return reading, (time.perf_counter() - start) * 1000


def cases(eval_count: int, big_count: int):
    """(group, name, image, words drawn or None)"""
    from PIL import Image, ImageOps

    def load(path):
        return ImageOps.exif_transpose(Image.open(path)).convert("RGB")

    demo = sorted((PHOTOS / "demo").glob("*.jpg"))
    for path in demo:
        yield "demo", path.name, load(path), None
    evals = sorted((PHOTOS / "eval" / "images").glob("*.jpg"))
    for path in evals[: eval_count or None]:
        yield "eval", path.name, load(path), None
    rng = random.Random(21)
    for i, path in enumerate(demo):
        share = TEXT_SHARES[i % len(TEXT_SHARES)]
        words = rng.sample(WORDS, rng.randint(1, 3))
        banner = i % 2 == 0
        kind = "banner" if banner else "text"
        img = render(load(path), words, share, banner, i)
        yield "rendered", f"{path.stem}:{kind}:{share}", img, words
    for i, path in enumerate(demo[:: max(1, len(demo) // max(big_count, 1))][:big_count]):
        img = load(path)
        size = BIG if img.width >= img.height else BIG[::-1]
        words = None
        if i % 2:
            words = rng.sample(WORDS, 2)
            img = render(img, words, 0.03, True, 100 + i)
        yield "12mp", f"{path.stem}:12mp", img.resize(size, Image.Resampling.BICUBIC), words


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--eval", type=int, default=120, help="eval photos (0: all 440)")
    parser.add_argument("--big", type=int, default=6, help="12-megapixel copies")
    parser.add_argument(
        "--side", type=int, default=0, help="detection short side (default: DETECT_SIDE)"
    )
    parser.add_argument("--no-angle", action="store_true", help="skip the angle classifier")
    parser.add_argument(
        "--gate", default="photo", help='the new reader\'s gate: "photo", "regions" or "none"'
    )
    parser.add_argument("--reference", choices=("ungated", "rapidocr"), default="ungated")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--engine",
        choices=("onnxruntime", "openvino"),
        default="onnxruntime",
        help="the new reader's INFERENCE_ENGINE (the reference runs on onnxruntime)",
    )
    args = parser.parse_args()

    from photodesk.inference.ocr import DETECT_SIDE, TextReader

    reference = reference_reader(args.threads, args.reference)
    candidate = TextReader(
        MODELS,
        threads=args.threads,
        detect_side=args.side or DETECT_SIDE,
        gate=None if args.gate == "none" else args.gate,
        engine=args.engine,
    )
    if args.no_angle:
        candidate.use_angle = False
    candidate.ensure_loaded()
    print(
        f"reference: {args.reference}; new: detection short side {candidate.detect_side}, "
        f"angle {candidate.use_angle}, gate {candidate.gate}, engine {candidate.engine}"
    )

    ms = {}  # (group, reader) -> [ms]
    text_free_ms = {"reference": [], "gate": []}
    text_ms = {"reference": [], "gate": []}
    sent = {}  # group -> [photos, sent to full detection, text-bearing, text-bearing sent]
    shares = {}  # group -> [share of each photo the full detection looked at]
    by_group = {}  # group -> [reference lines, found]
    counts = {k: [0, 0] for k in ("lines>=2%", "lines<2%", "words")}  # [reference, found]
    drawn = {"reference": [0, 0], "gate": [0, 0]}  # [words drawn, read]
    false_lines, text_free, missed = 0, 0, []
    warm = next(cases(0, 0))[2]
    reference.predict(warm), candidate.predict(warm)
    for group, name, img, words in cases(args.eval, args.big):
        ref, ref_ms = timed(reference, img)
        reading, new_ms = timed_read(candidate, img)
        new = reading.lines
        ms.setdefault((group, "reference"), []).append(ref_ms)
        ms.setdefault((group, "gate"), []).append(new_ms)
        tally = sent.setdefault(group, [0, 0, 0, 0])
        tally[0] += 1
        tally[1] += reading.detected
        tally[2] += bool(ref)
        tally[3] += bool(ref) and reading.detected
        shares.setdefault(group, []).append(reading.detected_share)
        new_texts = [line["text"] for line in new]
        new_words = [w for t in new_texts for w in t.split()]
        timings = text_ms if ref else text_free_ms
        timings["reference"].append(ref_ms)
        timings["gate"].append(new_ms)
        if not ref:
            text_free += 1
            false_lines += len(new)
        for line in ref:
            key = "lines>=2%" if line_share(line, img.height) >= 0.02 else "lines<2%"
            counts[key][0] += 1
            hit = line["text"] in new_texts or found(line["text"], new_texts)
            counts[key][1] += hit
            by_group.setdefault(group, [0, 0])[0] += 1
            by_group[group][1] += hit
            if not hit:
                share = line_share(line, img.height)
                missed.append(f"{group} {name}: {line['text']!r} ({share:.1%})")
            for word in line["text"].split():
                counts["words"][0] += 1
                counts["words"][1] += word in new_words or found(word, new_words)
        if words:
            for reader, lines in (("reference", ref), ("gate", new)):
                read = [w for line in lines for w in line["text"].split()]
                drawn[reader][0] += len(words)
                drawn[reader][1] += sum(found(w, read) for w in words)

    print("\nms per image (one thread; ref = the reference, new = TextReader as configured)")
    print(
        f"{'photos':<12}{'n':>5}{'ref p50':>9}{'ref mean':>10}{'new p50':>10}{'new mean':>11}"
        f"{'ratio':>8}"
    )
    groups = [g for g in ("demo", "eval", "rendered", "12mp") if (g, "gate") in ms]
    rows = [(g, ms[(g, "reference")], ms[(g, "gate")]) for g in groups]
    rows.append(("with text", text_ms["reference"], text_ms["gate"]))
    rows.append(("text-free", text_free_ms["reference"], text_free_ms["gate"]))
    for group, ref_ms, new_ms in rows:
        if not ref_ms:
            continue
        r_mean, n_mean = statistics.mean(ref_ms), statistics.mean(new_ms)
        print(
            f"{group:<12}{len(ref_ms):>5}{statistics.median(ref_ms):>9.0f}{r_mean:>10.0f}"
            f"{statistics.median(new_ms):>10.0f}{n_mean:>11.0f}{n_mean / r_mean:>8.2f}"
        )
    print("\nrecall against the reference's lines (text-bearing photos)")
    for key, (total, hit) in counts.items():
        print(f"  {key:<10} {hit}/{total} = {hit / total if total else float('nan'):.3f}")
    for group, (total, hit) in by_group.items():
        print(f"  {group:<10} {hit}/{total} = {hit / total:.3f} of the lines")
    print("\nsent to full detection (photos; text-bearing: those where the reference reads lines)")
    for group, (photos, detected, bearing, bearing_sent) in sent.items():
        print(
            f"  {group:<10} {detected}/{photos} = {detected / photos:.2f}; text-bearing "
            f"{bearing_sent}/{bearing}, text-free {detected - bearing_sent}/{photos - bearing}; "
            f"share of the pixels {statistics.mean(shares[group]):.2f}"
        )
    print(f"false lines on {text_free} text-free photos: {false_lines}")
    for reader, (total, read) in drawn.items():
        print(
            f"rendered words read by {reader.replace('gate', 'new')}: "
            f"{read}/{total} = {read / max(total, 1):.3f}"
        )
    if missed:
        print("\nmissed reference lines:")
        for line in missed:
            print("  " + line)


if __name__ == "__main__":
    main()
