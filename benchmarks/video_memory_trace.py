"""RSS along one long video's analysis: printed every `--every` analysed segments while the
frames stream, when the stream ends, and after the shots are stored (the shot vectors load
the text model then). Flat while streaming means nothing grows with the video's length.

The video is benchmarks/video_memory.py's (still shots of the demo photos, H.264), made in a
temporary folder. `--set ANALYZERS=[...]` runs fewer analyzers (a 2-hour video with all of
them takes about half an hour on 2 shared cores).

Usage: python benchmarks/video_memory_trace.py [--minutes 120] [--size 320x180] [--fps 5]
       [--shot 20] [--every 60] [--set NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from _setup import django_setup, override_photodesk
from video_memory import make_long_clip, rss_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=120.0)
    parser.add_argument("--size", default="320x180")
    parser.add_argument("--fps", type=int, default=5)
    parser.add_argument("--shot", type=float, default=20.0)
    parser.add_argument("--every", type=int, default=60)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    django_setup()
    override_photodesk(args.set)
    from django.core.files import File

    from photodesk.analysis.video import pipeline
    from photodesk.host import get_video_model

    seen = {"segments": 0}
    analyse_frames, analyse_stream = pipeline._analyse_frames, pipeline._analyse_stream

    def traced_frames(*a, **k):
        out = analyse_frames(*a, **k)
        before = seen["segments"] // args.every
        seen["segments"] += len(out)
        if seen["segments"] // args.every > before:
            print(f"  {seen['segments']:>5} segments: RSS {rss_mb():.1f} MB", flush=True)
        return out

    def traced_stream(*a, **k):
        out = analyse_stream(*a, **k)
        print(f"  stream ended ({len(out[0])} segments): RSS {rss_mb():.1f} MB", flush=True)
        return out

    pipeline._analyse_frames, pipeline._analyse_stream = traced_frames, traced_stream
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "long.mp4"
        make_long_clip(clip, args.minutes, size, args.fps, args.shot)
        print(
            f"video: {args.minutes:g} min {args.size} {args.fps} fps H.264, {args.shot:g} s "
            f"still shots, {clip.stat().st_size / 1e6:.1f} MB; settings {args.set or 'default'}"
        )
        video = get_video_model()(title="memory trace clip")
        with clip.open("rb") as fh:
            video.file.save("trace.mp4", File(fh), save=False)
        type(video).objects.bulk_create([video])  # no signal: the analysis runs here
        video = get_video_model().objects.order_by("-pk").first()
        print(f"  before: RSS {rss_mb():.1f} MB", flush=True)
        start = time.perf_counter()
        analysis = pipeline.analyze_video(video, force=True).analysis
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"  stored ({analysis.status}, {analysis.frames_sampled} frames sampled) in "
            f"{seconds:.0f} s: RSS {rss_mb():.1f} MB, process peak {peak:.1f} MB"
        )
        video.file.delete(save=False)
        video.delete()


if __name__ == "__main__":
    main()
