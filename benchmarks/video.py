"""Video throughput: frames analysed per second and the real-time factor (seconds of work per
second of video) for a clip generated from the demo photos, and what is stored per minute.

The clip: each demo photo is a shot of `--shot` seconds with a slow zoom (so every frame
differs, as in real footage), H.264 at `--size` and `--fps`, `--minutes` long. The whole
pipeline runs as the worker runs it (decode streamed, shots, every analyzer on each kept
frame, the shot vectors, one DB write) with the configured ANALYZERS; the peak RSS says
whether memory stays bounded.

Usage: python benchmarks/video.py [--minutes 5] [--size 1280x720] [--fps 25] [--shot 8]
       [--set NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from _setup import SHARED, django_setup, override_photodesk

DEMO = SHARED / "photos" / "demo"


def make_clip(path: Path, minutes: float, size: tuple[int, int], fps: int, shot: float) -> None:
    import av
    from PIL import Image

    photos = sorted(p for p in DEMO.glob("*.jpg"))
    frames_per_shot = round(shot * fps)
    total = round(minutes * 60 * fps)
    with av.open(str(path), mode="w") as output:
        stream = output.add_stream("h264", rate=fps, options={"preset": "ultrafast"})
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        written = 0
        while written < total:
            photo = Image.open(photos[(written // frames_per_shot) % len(photos)]).convert("RGB")
            base = photo.resize(size)
            for i in range(min(frames_per_shot, total - written)):
                zoom = 1 + 0.1 * i / frames_per_shot  # a slow zoom: every frame differs
                w, h = int(size[0] / zoom), int(size[1] / zoom)
                left, top = (size[0] - w) // 2, (size[1] - h) // 2
                frame = base.crop((left, top, left + w, top + h)).resize(size)
                for packet in stream.encode(av.VideoFrame.from_image(frame)):
                    output.mux(packet)
                written += 1
        for packet in stream.encode():
            output.mux(packet)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--shot", type=float, default=8.0)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    django_setup()
    override_photodesk(args.set)
    from django.core.files import File

    from photodesk.analysis.video.pipeline import analyze_video
    from photodesk.host import get_video_model
    from photodesk.models import VideoLabelRange, VideoPersonSpan, VideoShot, VideoText

    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        start = time.perf_counter()
        make_clip(clip, args.minutes, size, args.fps, args.shot)
        print(
            f"clip: {args.minutes:g} min {args.size} {args.fps} fps, "
            f"{clip.stat().st_size / 1e6:.1f} MB, encoded in {time.perf_counter() - start:.0f} s"
        )
        video = get_video_model()(title="benchmark clip")
        with clip.open("rb") as fh:
            video.file.save("bench-clip.mp4", File(fh), save=False)
        type(video).objects.bulk_create([video])  # no signal: the analysis runs here
        video = get_video_model().objects.order_by("-pk").first()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        outcome = analyze_video(video, force=True)
        seconds = time.perf_counter() - start
    analysis = outcome.analysis
    if analysis.status != "done":
        sys.exit(f"analysis failed: {analysis.error}")
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    minutes = analysis.duration / 60
    shots = VideoShot.objects.filter(analysis=analysis)
    rows = {
        "shots": shots.count(),
        "label ranges": VideoLabelRange.objects.filter(analysis=analysis).count(),
        "person spans": VideoPersonSpan.objects.filter(analysis=analysis).count(),
        "text ranges": VideoText.objects.filter(analysis=analysis).count(),
    }
    vector_bytes = sum(len(bytes(s.embedding or b"")) for s in shots)
    json_bytes = sum(len(str(s.labels)) + len(str(s.concepts)) + len(s.description) for s in shots)
    thumb_bytes = sum(s.thumbnail.size for s in shots if s.thumbnail)
    print(f"timings (s): {analysis.timings}")
    print(
        f"analysed {analysis.frames_analysed} frames (of {analysis.frames_sampled} sampled, "
        f"{analysis.duration * analysis.fps:.0f} decoded) in {seconds:.1f} s: "
        f"{analysis.frames_analysed / seconds:.2f} analysed frames/s, "
        f"{analysis.frames_sampled / seconds:.1f} sampled frames/s, "
        f"{analysis.duration * analysis.fps / seconds:.0f} decoded frames/s"
    )
    print(
        f"real-time factor: {seconds / analysis.duration:.3f} s of work per s of video "
        f"({analysis.duration / seconds:.1f}x faster than real time)"
    )
    print(f"peak RSS: {rss_before:.0f} MB before, {rss_after:.0f} MB after the analysis")
    per_minute = {k: v / minutes for k, v in rows.items()}
    print("stored per minute of video: " + ", ".join(f"{v:.1f} {k}" for k, v in per_minute.items()))
    print(
        f"  bytes per minute: vectors {vector_bytes / minutes / 1e3:.1f} kB, shot facts (JSON) "
        f"{json_bytes / minutes / 1e3:.1f} kB, thumbnails {thumb_bytes / minutes / 1e3:.1f} kB; "
        f"index: {rows['shots'] / minutes:.1f} documents"
    )
    video.file.delete(save=False)
    video.delete()


if __name__ == "__main__":
    main()
