"""The worker's memory on long videos: peak RSS while analysing generated videos of growing
length, each in a process of its own (a process's peak cannot go down).

Each video is generated with PyAV into a temporary folder: the demo photos as shots of
`--shot` seconds, still (an encoder's cheapest case: the file stays small), H.264 at `--size`
and `--fps`. Before the clock and the memory reading, every model is loaded on one blank
frame, so what the analysis adds over the loaded models is what the video costs. Printed
per length: the file, the segments analysed, the time, RSS with the models loaded, the peak
during the analysis and the growth between them.

Usage: python benchmarks/video_memory.py [--minutes 10 30 60 120] [--size 320x180] [--fps 5]
       [--shot 20] [--set NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _setup import SHARED, django_setup, override_photodesk

DEMO = SHARED / "photos" / "demo"


def make_long_clip(path: Path, minutes: float, size: tuple[int, int], fps: int, shot: float):
    """Still shots (one frame object per photo, encoded again and again): minutes of video in
    seconds of encoding."""
    import av
    from PIL import Image

    photos = sorted(DEMO.glob("*.jpg"))
    frames_per_shot = round(shot * fps)
    total = round(minutes * 60 * fps)
    with av.open(str(path), mode="w") as output:
        stream = output.add_stream("h264", rate=fps, options={"preset": "ultrafast"})
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        written = 0
        while written < total:
            photo = Image.open(photos[(written // frames_per_shot) % len(photos)]).convert("RGB")
            frame = av.VideoFrame.from_image(photo.resize(size))
            for _ in range(min(frames_per_shot, total - written)):
                for packet in stream.encode(frame):
                    output.mux(packet)
                written += 1
        for packet in stream.encode():
            output.mux(packet)


def rss_mb() -> float:
    """The process's resident memory now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def one(minutes: float, size: tuple[int, int], fps: int, shot: float, changes: list[str]) -> dict:
    django_setup()
    override_photodesk(changes)
    from django.core.files import File
    from PIL import Image

    from photodesk.analysis.analyzers.base import Photo
    from photodesk.analysis.pipeline import analyzers
    from photodesk.analysis.video.pipeline import SKIPPED_ANALYZERS, analyze_video
    from photodesk.host import get_video_model

    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "long.mp4"
        start = time.perf_counter()
        make_long_clip(clip, minutes, size, fps, shot)
        encoded = time.perf_counter() - start
        blank = Image.new("RGB", size)
        for analyzer in analyzers():  # the models, loaded before the readings
            if analyzer.key not in SKIPPED_ANALYZERS:
                analyzer.analyze_batch([Photo(pixels=blank, source=blank)])
        video = get_video_model()(title=f"{minutes:g}-minute memory clip")
        with clip.open("rb") as fh:
            video.file.save("long.mp4", File(fh), save=False)
        type(video).objects.bulk_create([video])  # no signal: the analysis runs here
        video = get_video_model().objects.order_by("-pk").first()
        loaded = rss_mb()
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        analysis = analyze_video(video, force=True).analysis
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result = {
            "minutes": minutes,
            "file_mb": round(clip.stat().st_size / 1e6, 1),
            "encoded_s": round(encoded, 1),
            "status": analysis.status,
            "error": analysis.error,
            "duration_s": analysis.duration,
            "sampled": analysis.frames_sampled,
            "segments": analysis.frames_analysed,
            "analysis_s": round(seconds, 1),
            "rss_models_loaded_mb": round(loaded, 1),
            "peak_before_mb": round(peak_before, 1),
            "peak_mb": round(peak, 1),
            "growth_mb": round(peak - max(loaded, peak_before), 1),
        }
        video.file.delete(save=False)
        video.delete()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[10, 30, 60, 120])
    parser.add_argument("--size", default="320x180")
    parser.add_argument("--fps", type=int, default=5)
    parser.add_argument("--shot", type=float, default=20.0)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    if args.one:
        print(json.dumps(one(args.minutes[0], size, args.fps, args.shot, args.set)))
        return
    print(
        f"videos: {args.size} {args.fps} fps H.264, {args.shot:g} s still shots of the demo "
        f"photos; settings {args.set or 'default'}"
    )
    for minutes in args.minutes:
        command = [sys.executable, __file__, "--one", "--minutes", str(minutes)]
        command += ["--size", args.size, "--fps", str(args.fps), "--shot", str(args.shot)]
        for item in args.set:
            command += ["--set", item]
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        lines = run.stdout.strip().splitlines()
        if run.returncode or not lines:
            sys.exit(f"{minutes:g} min: failed\n{run.stderr[-2000:]}")
        r = json.loads(lines[-1])
        print(
            f"{minutes:>5g} min: {r['file_mb']} MB file, {r['sampled']} frames sampled, "
            f"{r['segments']} segments analysed in {r['analysis_s']} s ({r['status']}); "
            f"RSS with models {r['rss_models_loaded_mb']} MB (peak so far "
            f"{r['peak_before_mb']}), peak {r['peak_mb']} MB: +{r['growth_mb']} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
