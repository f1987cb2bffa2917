"""Batching a video's kept frames through the analyzers: frames analysed per second with
VIDEO_BATCH_FRAMES=1 (one frame at a time) and =N, on the same generated clip, in one run.

The clip is benchmarks/video.py's (demo photos as shots with a slow zoom, H.264). Each
setting analyses the whole clip as the worker does (decode, shots, analyzers, shot vectors);
the rounds alternate (1, N, 1, N, ...) so that the machine's load falls on both alike, and the
models are loaded before the first round. Printed: each round's frames analysed per second
and the time in the analyzers, and the ratio of the medians.

Usage: python benchmarks/video_batch.py [--minutes 2] [--size 1280x720] [--fps 25] [--shot 4]
       [--batch 8] [--rounds 2] [--set NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _setup import django_setup, override_photodesk
from video import make_clip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--shot", type=float, default=4.0)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    django_setup()
    override_photodesk(args.set)
    from django.conf import settings
    from django.core.files import File
    from django.test import override_settings
    from PIL import Image

    from photodesk.analysis.analyzers.base import Photo
    from photodesk.analysis.pipeline import analyzers
    from photodesk.analysis.video.pipeline import SKIPPED_ANALYZERS, analyze_video
    from photodesk.host import get_video_model

    runs: dict[int, list[tuple[float, float, int]]] = {1: [], args.batch: []}
    shares: dict[int, list[dict[str, float]]] = {1: [], args.batch: []}
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        make_clip(clip, args.minutes, size, args.fps, args.shot)
        print(f"clip: {args.minutes:g} min {args.size} {args.fps} fps, {args.shot:g} s shots")
        warm = [Photo(pixels=Image.new("RGB", size), source=Image.new("RGB", size))]
        for analyzer in analyzers():  # load every model before the clock runs
            if analyzer.key not in SKIPPED_ANALYZERS:
                analyzer.analyze_batch(warm)
        video = get_video_model()(title="batch benchmark clip")
        with clip.open("rb") as fh:
            video.file.save("bench-batch.mp4", File(fh), save=False)
        type(video).objects.bulk_create([video])  # no signal: the analysis runs here
        video = get_video_model().objects.order_by("-pk").first()
        try:
            for _ in range(args.rounds):
                for batch in (1, args.batch):
                    conf = {**settings.PHOTODESK, "VIDEO_BATCH_FRAMES": batch}
                    with override_settings(PHOTODESK=conf):
                        start = time.perf_counter()
                        analysis = analyze_video(video, force=True).analysis
                        seconds = time.perf_counter() - start
                    assert analysis.status == "done", analysis.error
                    frames = analysis.frames_analysed
                    runs[batch].append((frames / seconds, analysis.timings["analyzers"], frames))
                    each = {
                        k.split(":", 1)[1]: round(v, 2)
                        for k, v in analysis.timings.items()
                        if k.startswith("analyzer:")
                    }
                    shares[batch].append(each)
                    print(
                        f"batch {batch:>2}: {frames} frames analysed in {seconds:.1f} s: "
                        f"{frames / seconds:.3f} frames/s; analyzers "
                        f"{analysis.timings['analyzers']:.1f} s, each (s): {each}"
                    )
        finally:
            video.file.delete(save=False)
            video.delete()
    one = statistics.median(r[0] for r in runs[1])
    many = statistics.median(r[0] for r in runs[args.batch])
    one_a = statistics.median(r[2] / r[1] for r in runs[1])
    many_a = statistics.median(r[2] / r[1] for r in runs[args.batch])
    print(
        f"median frames/s, whole analysis: batch 1 {one:.3f}, batch {args.batch} {many:.3f}, "
        f"ratio {many / one:.2f}"
    )
    print(
        f"median frames/s, analyzers only: batch 1 {one_a:.3f}, batch {args.batch} {many_a:.3f}, "
        f"ratio {many_a / one_a:.2f}"
    )

    frames = runs[1][0][2]
    for key in shares[1][0]:
        a = statistics.median(frames / max(s[key], 1e-9) for s in shares[1])
        b = statistics.median(frames / max(s[key], 1e-9) for s in shares[args.batch])
        print(f"  {key}: batch 1 {a:.2f}, batch {args.batch} {b:.2f} frames/s, ratio {b / a:.2f}")


if __name__ == "__main__":
    main()
