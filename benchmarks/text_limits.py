"""Memory and time of one article's understanding (build_article_query: the spaCy parse,
entities, sentences, summary, key phrases) for long bodies, real prose and random words.

Each case runs in a fresh subprocess whose spaCy model is already loaded (a short article
first), so the figures are what one more request costs: wall time, the peak of Python
allocations (tracemalloc, NumPy's included) and the growth of the process's peak RSS
(VmHWM reset before the call). The child's address space is capped (--limit-gb) so a
runaway case ends in a MemoryError instead of taking the machine.

Usage: python benchmarks/text_limits.py [--sizes 1000,10000,50000,200000] [--src DIR]
  --src: import photodesk from another checkout (to measure the code before a change)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT.parent / "shared" / "photos" / "eval" / "articles.jsonl"
BUDGET_MB, BUDGET_S = 300, 1.0


def prose() -> str:
    """Real prose: the README's paragraphs (no code, tables or headings) and the eval
    articles."""
    paragraphs, fenced = [], False
    for line in (ROOT / "README.md").read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.strip() and not line.startswith(("#", "|", "    ")):
            paragraphs.append(line.strip().lstrip("-* "))
    if ARTICLES.exists():
        for row in map(json.loads, ARTICLES.read_text().splitlines()):
            paragraphs.append(f"{row['title']}. {row['body']}")
    return " ".join(paragraphs)


def body(kind: str, size: int) -> str:
    if kind == "prose":
        text = prose()
        return (text + " ") * (size // len(text) + 1)
    rng = random.Random(size)  # random words: every word new, no punctuation
    words, length = [], 0
    while length < size:
        word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 10)))
        words.append(word)
        length += len(word) + 1
    return " ".join(words)


def _vm(key: str) -> float:
    found = re.search(rf"^{key}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    return int(found.group(1)) / 1024 if found else float("nan")


def child(kind: str, size: int) -> None:
    """One case, in this (fresh) process; prints one JSON line."""
    import tracemalloc

    if os.environ.get("TEXT_LIMITS_SRC"):  # another checkout: bypass the editable install
        sys.meta_path = [f for f in sys.meta_path if "__editable__" not in repr(f)]
        sys.path.insert(0, os.environ["TEXT_LIMITS_SRC"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.bench")
    import django

    django.setup()
    from photodesk.search.text.query import build_article_query

    build_article_query("Warm up", "The model loads once. " * 20)
    text = body(kind, size)[:size]
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    rss_before = _vm("VmRSS")
    tracemalloc.start()
    started = time.perf_counter()
    built = build_article_query("Long article", text)
    seconds = time.perf_counter() - started
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "traced_mb": round(traced / 2**20, 1),
                "rss_growth_mb": round(_vm("VmHWM") - rss_before, 1),
                "rss_mb": round(_vm("VmHWM"), 1),
                "texts": len(built.texts),
                "phrases": built.key_phrases[:4],
            }
        )
    )


def run(kind: str, size: int, src: Path, limit_gb: float, timeout: float) -> dict:
    limit = int(limit_gb * 2**30)

    def cap() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if src != ROOT:
        env["TEXT_LIMITS_SRC"] = str(src)
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(size)],
            capture_output=True,
            text=True,
            env=env,
            preexec_fn=cap,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"over {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        last = (done.stderr.strip().splitlines() or ["killed"])[-1]
        return {"error": last[:60]}
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000,200000")
    parser.add_argument("--src", type=Path, default=ROOT)
    parser.add_argument("--limit-gb", type=float, default=4.0)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "SIZE"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    print(f"{'body':>16} {'time s':>7} {'traced MB':>9} {'RSS +MB':>8} {'RSS MB':>7}  verdict")
    failed = False
    for kind in ("prose", "random"):
        for size in map(int, args.sizes.split(",")):
            row = run(kind, size, args.src.resolve(), args.limit_gb, args.timeout)
            name = f"{kind} {size // 1000}k"
            if "error" in row:
                print(f"{name:>16} {'':>7} {'':>9} {'':>8} {'':>7}  FAIL: {row['error']}")
                failed = True
                continue
            ok = (
                row["seconds"] < BUDGET_S
                and max(row["traced_mb"], row["rss_growth_mb"]) < BUDGET_MB
            )
            failed |= not ok
            print(
                f"{name:>16} {row['seconds']:>7.2f} {row['traced_mb']:>9.1f} "
                f"{row['rss_growth_mb']:>8.1f} {row['rss_mb']:>7.0f}  {'ok' if ok else 'FAIL'}"
            )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
