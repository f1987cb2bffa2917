"""Ingest throughput: each stage on its own, the whole path, and real queued workers.

1. Stages, in this process on images already read into memory (the baseline): decode, then
   each configured analyzer's `analyze` on the shared decoded photo.
2. End to end: `manage.py ingest --sync` into a fresh database (hashing, storage, decode, every
   analyzer, embedding, DB write, index write). The pipeline records each stage's time on the
   analysis; the index write is timed again on its own, the rest is the database and storage.
3. Workers (unless --workers ""): every image queued again `--rounds` times (`manage.py analyze
   --all`, not --sync) and drained by a real `manage.py qcluster` with 1, then 2 workers;
   images/s between the first finished and the last finished task (model loading excluded),
   and the peak resident memory of the largest worker process and of the whole cluster.
4. Follow-up work: what each analysed image queues after its analysis (index write,
   duplicate check, series placement, alert rules, words lent to similar photos, face
   clustering), each timed on its own per image, with a label and a label-count alert rule.

With --megapixels N the photos are first upscaled to N megapixels (JPEG, EXIF kept) in a
temporary folder: the size of a camera original, where decoding and resizing matter.

Usage: python benchmarks/ingest.py [DIR] [--megapixels 12] [--workers 1,2] [--rounds 2]
       [--engine openvino] [--face-detector blazeface]   (default DIR ../shared/photos/demo)
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["BENCH_DIR"] = tempfile.mkdtemp(prefix="photodesk-bench-ingest-")
from _setup import ROOT, SHARED, django_setup  # noqa: E402

WORKER_SETTINGS = """\
import os
from settings.bench import *  # noqa: F403
from settings.bench import Q_CLUSTER
Q_CLUSTER = {**Q_CLUSTER, "workers": int(os.environ["BENCH_WORKERS"]), "queue_limit": 100}
"""


def rss_of_tree(root: int) -> dict[int, int]:
    """Resident bytes of `root` and every process below it (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, parent in parents.items() if parent == pid]
        tree.update(children)
        frontier += children
    rss = {}
    for pid in tree:
        try:
            pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError):
            continue
        rss[pid] = pages * os.sysconf("SC_PAGE_SIZE")
    return rss


def upscaled(paths: list[Path], megapixels: float) -> Path:
    """Copies of `paths` at `megapixels` (aspect kept), in a temporary folder."""
    from PIL import Image, ImageOps

    folder = Path(os.environ["BENCH_DIR"]) / f"photos-{megapixels:g}mp"
    folder.mkdir()
    for path in paths:
        with Image.open(path) as img:
            exif = img.info.get("exif", b"")
            img = ImageOps.exif_transpose(img).convert("RGB")
            scale = (megapixels * 1e6 / (img.width * img.height)) ** 0.5
            size = (round(img.width * scale), round(img.height * scale))
            # LANCZOS, not a blocky NEAREST: the copy should look like a camera's photo.
            big = img.resize(size, Image.Resampling.LANCZOS)
            big.save(folder / f"{path.stem}.jpg", quality=90, exif=exif if exif else b"")
    return folder


def stages(paths: list[Path]) -> dict[str, float]:
    """Seconds per stage over all images, models loaded beforehand."""
    from photodesk.analysis import embedding
    from photodesk.analysis.decode import decode
    from photodesk.analysis.pipeline import analyzers

    data = [p.read_bytes() for p in paths]
    for analyzer in analyzers():
        for model in analyzer.models():
            model.ensure_loaded()
    embedding.embedder().ensure_loaded()
    out: dict[str, float] = {}
    start = time.perf_counter()
    photos = [decode(d, p.name) for d, p in zip(data, paths, strict=True)]
    out["decode"] = time.perf_counter() - start
    for analyzer in analyzers():
        start = time.perf_counter()
        for photo in photos:
            analyzer.analyze(photo)
        out[analyzer.key] = time.perf_counter() - start
    return out


def end_to_end(folder: Path) -> tuple[float, dict[str, float]]:
    """Wall seconds of `ingest --sync`, and the seconds per stage it recorded and re-timed."""
    from django.core.management import call_command

    from photodesk import indexing
    from photodesk.models import ImageAnalysis

    start = time.perf_counter()
    call_command("ingest", str(folder), sync=True, no_progress=True)
    wall = time.perf_counter() - start
    split: dict[str, float] = {}
    analyses = list(ImageAnalysis.objects.select_related("image"))
    for analysis in analyses:
        for key, seconds in (analysis.timings or {}).items():
            split[key] = split.get(key, 0.0) + seconds
    start = time.perf_counter()
    for analysis in analyses:
        indexing.index_image(analysis.image, analysis)
    split["index write"] = time.perf_counter() - start
    split["DB, storage, hashing"] = max(0.0, wall - sum(split.values()))
    return wall, split


def follow_ups() -> dict[str, float]:
    """Seconds per image of each task an analysed image queues, run as the worker runs them
    (the archive holds every image of the run; a label rule and a label-count rule)."""
    from photodesk import tasks
    from photodesk.models import AlertRule, ImageAnalysis

    AlertRule.objects.get_or_create(
        name="bench labels", defaults={"kind": AlertRule.Kind.LABEL, "label": "dog"}
    )
    AlertRule.objects.get_or_create(
        name="bench count",
        defaults={"kind": AlertRule.Kind.LABEL_COUNT, "label": "person", "threshold": 1000},
    )
    ids = list(ImageAnalysis.objects.done().values_list("image_id", flat=True))
    steps = {
        "index write (write_entry)": tasks.write_entry,
        "duplicates (find_duplicates)": tasks.find_duplicates,
        "series (place_in_series)": tasks.place_in_series,
        "alerts (check_alerts)": tasks.check_alerts,
        "lent words (lenders_changed)": lambda pk: tasks.lenders_changed([pk]),
    }
    out: dict[str, float] = {}
    for name, step in steps.items():
        start = time.perf_counter()
        for pk in ids:
            step(pk)
        out[name] = (time.perf_counter() - start) / len(ids)
    start = time.perf_counter()
    tasks.cluster_faces()
    out["face clustering (once per batch)"] = time.perf_counter() - start
    return out


def drain_with_workers(workers: int, rounds: int) -> dict[str, float]:
    """Queue every image `rounds` times and time a real qcluster with `workers` draining it."""
    from django.core.management import call_command
    from django_q.models import OrmQ, Task

    Task.objects.all().delete()
    for _ in range(rounds):
        call_command("analyze", all=True, no_progress=True, stdout=io.StringIO())
    queued = OrmQ.objects.count()
    module_dir = Path(os.environ["BENCH_DIR"])
    (module_dir / "bench_worker_settings.py").write_text(WORKER_SETTINGS)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_worker_settings",
        "BENCH_WORKERS": str(workers),
        "PYTHONPATH": os.pathsep.join([str(module_dir), str(ROOT)]),
    }
    log = (module_dir / f"qcluster-{workers}.log").open("w")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    peak_process = peak_total = 0
    try:
        while OrmQ.objects.exists() or Task.objects.count() < queued:
            if process.poll() is not None:
                raise RuntimeError(f"qcluster exited; see {log.name}")
            if time.perf_counter() - started > 1800:
                raise RuntimeError(f"the queue did not drain in 30 min; see {log.name}")
            rss = rss_of_tree(process.pid)
            peak_process = max(peak_process, max(rss.values(), default=0))
            peak_total = max(peak_total, sum(rss.values()))
            time.sleep(0.5)
        wall = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()
    done = sorted(
        Task.objects.filter(func="photodesk.tasks.analyze_image").values_list("stopped", flat=True)
    )
    failed = Task.objects.filter(func="photodesk.tasks.analyze_image", success=False).count()
    span = (done[-1] - done[0]).total_seconds()
    # The first `workers` tasks finish together after loading the models: count from there.
    return {
        "tasks": len(done),
        "failed": failed,
        "img/s": (len(done) - workers) / span if span else 0.0,
        "wall": wall,
        "peak process MB": peak_process / 1e6,
        "peak cluster MB": peak_total / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", type=Path, default=SHARED / "photos" / "demo")
    parser.add_argument("--workers", default="1,2", help='Worker counts to try ("" for none).')
    parser.add_argument("--rounds", type=int, default=2, help="Times each image is queued.")
    parser.add_argument(
        "--megapixels", type=float, default=0, help="Upscale copies to this size first."
    )
    parser.add_argument(
        "--engine",
        choices=("onnxruntime", "openvino"),
        help="INFERENCE_ENGINE for this run and its workers (default: the settings').",
    )
    parser.add_argument(
        "--face-detector",
        choices=("hog", "cnn", "blazeface"),
        help="FACE_DETECTOR for this run and its workers (default: the settings').",
    )
    args = parser.parse_args()
    if args.engine:
        os.environ["BENCH_INFERENCE_ENGINE"] = args.engine  # read by settings.bench
    if args.face_detector:
        os.environ["BENCH_FACE_DETECTOR"] = args.face_detector  # read by settings.bench
    django_setup()
    from photodesk.conf import photodesk_settings
    from photodesk.management.commands.ingest import find_images

    paths = find_images(args.folder)
    if args.megapixels:
        args.folder = upscaled(paths, args.megapixels)
        paths = find_images(args.folder)
    n = len(paths)
    print(
        f"{n} images from {args.folder}, INFERENCE_THREADS={photodesk_settings.INFERENCE_THREADS}"
    )

    baseline = stages(paths)
    base_total = sum(baseline.values())
    print("\nstages in this process (baseline)      ms/img   share")
    for name, seconds in baseline.items():
        print(f"  {name:<36} {seconds / n * 1000:8.1f}  {seconds / base_total:6.1%}")
    print(f"  {'total':<36} {base_total / n * 1000:8.1f}  = {n / base_total:.2f} img/s")

    wall, split = end_to_end(args.folder)
    print("\nend to end (ingest --sync)             ms/img   share")
    for name, seconds in split.items():
        print(f"  {name:<36} {seconds / n * 1000:8.1f}  {seconds / wall:6.1%}")
    print(f"  {'total':<36} {wall / n * 1000:8.1f}  = {n / wall:.2f} img/s")
    print(f"  end to end / baseline speed: {base_total / wall:.2f}  (1.00 = no overhead)")

    print("\nfollow-up work per analysed image       ms/img")
    for name, seconds in follow_ups().items():
        print(f"  {name:<36} {seconds * 1000:8.1f}")

    counts = [int(w) for w in args.workers.split(",") if w.strip()]
    results = {w: drain_with_workers(w, args.rounds) for w in counts}
    if results:
        print("\nqueued, real qcluster   tasks failed   img/s  wall s  worker MB  cluster MB")
        for w, r in results.items():
            print(
                f"  {w} worker(s)          {r['tasks']:5d} {r['failed']:6d} {r['img/s']:7.2f}"
                f" {r['wall']:7.1f} {r['peak process MB']:10.0f} {r['peak cluster MB']:11.0f}"
            )
        first = results[counts[0]]["img/s"]
        for w, r in results.items():
            print(f"  {w} worker(s) / {counts[0]}: {r['img/s'] / first:.2f}x" if first else "")


if __name__ == "__main__":
    main()
