"""A stored video to sampled frames, streamed (a 2-hour file is never held whole), with clear
refusals: not a video, an unsupported container, over the limits, damaged or truncated.

The container is found by content (what ffmpeg's probe says), not by the file's extension.
PyAV (the `video` extra) is imported here only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

import av
from PIL import Image

from photodesk.conf import photodesk_settings

# ffmpeg's demuxer names of the containers taken: MP4/MOV, Matroska/WebM.
CONTAINERS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4/mov", "matroska,webm": "mkv/webm"}
# A file whose last decoded frame ends this much before its stated duration is truncated.
TRUNCATION_TOLERANCE = 1.0


class InvalidVideo(ValueError):
    """The file cannot be analysed (not a video, damaged, truncated, too large)."""


@dataclass
class VideoInfo:
    container: str
    codec: str
    duration: float  # seconds
    width: int
    height: int
    fps: float


@dataclass
class Frame:
    time: float  # seconds
    image: Image.Image  # RGB, at most VIDEO_FRAME_SIDE on the long edge


def check_size(size: int) -> None:
    limit = photodesk_settings.VIDEO_MAX_BYTES
    if size > limit:
        raise InvalidVideo(f"The file is {size / 1e9:.2f} GB; the limit is {limit / 1e9:.2f} GB.")
    if not size:
        raise InvalidVideo("The file is empty.")


@contextmanager
def open_video(fh: IO[bytes], name: str = "") -> Iterator[tuple[Any, VideoInfo]]:
    """(container, info) of the video in `fh`, refused unless it is a supported, decodable
    video within the limits."""
    label = name or "The file"
    try:
        container = av.open(fh, mode="r")
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise InvalidVideo(f"{label} is not a video that can be decoded ({exc}).") from exc
    try:
        if container.format.name not in CONTAINERS:
            raise InvalidVideo(
                f"{label} is a {container.format.long_name or container.format.name} file, "
                "not a video in a supported container (MP4, MOV, WebM, MKV)."
            )
        if not container.streams.video:
            raise InvalidVideo(f"{label} has no video stream.")
        stream = container.streams.video[0]
        info = _info(container, stream)
        _check_limits(info, label)
        yield container, info
    finally:
        container.close()


def _info(container: Any, stream: Any) -> VideoInfo:
    if container.duration:
        duration = container.duration / av.time_base
    elif stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    else:
        duration = 0.0
    rate = stream.average_rate or stream.guessed_rate
    return VideoInfo(
        container=CONTAINERS[container.format.name],
        codec=stream.codec_context.name,
        duration=round(float(duration), 3),
        width=stream.codec_context.width,
        height=stream.codec_context.height,
        fps=round(float(rate), 3) if rate else 0.0,
    )


def _check_limits(info: VideoInfo, label: str) -> None:
    conf = photodesk_settings
    if info.duration <= 0:
        raise InvalidVideo(f"{label} states no duration: it is damaged or not a whole video.")
    if info.duration > conf.VIDEO_MAX_SECONDS:
        raise InvalidVideo(
            f"The video lasts {info.duration / 60:.0f} minutes; the limit is "
            f"{conf.VIDEO_MAX_SECONDS / 60:.0f} minutes."
        )
    if info.width * info.height > conf.VIDEO_MAX_PIXELS:
        raise InvalidVideo(
            f"The video is {info.width}x{info.height} pixels; the limit is "
            f"{conf.VIDEO_MAX_PIXELS / 1e6:.1f} megapixels per frame."
        )


def sampled_frames(container: Any, info: VideoInfo, per_second: float) -> Iterator[Frame]:
    """Frames `per_second` apart, scaled to VIDEO_FRAME_SIDE at most, decoded one at a time.
    Raises InvalidVideo when decoding fails part-way or the stream ends well before its
    stated duration (a truncated file)."""
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    width, height = _scaled(info.width, info.height, photodesk_settings.VIDEO_FRAME_SIDE)
    step = 1.0 / per_second
    next_time = 0.0
    last_time = -1.0
    try:
        for frame in container.decode(stream):
            if frame.time is None:
                continue
            last_time = max(last_time, frame.time)
            if frame.time + 1e-6 < next_time:
                continue  # decoded (the codec needs it) but not converted: the cheap path
            image = frame.to_image(width=width, height=height)
            next_time = frame.time + step
            yield Frame(time=round(float(frame.time), 3), image=image)
    except av.error.FFmpegError as exc:
        raise InvalidVideo(f"The video is damaged at {max(last_time, 0):.1f} s ({exc}).") from exc
    frame_length = 1.0 / info.fps if info.fps else 0.0
    if last_time < 0:
        raise InvalidVideo("The video has no frame that can be decoded.")
    if last_time + frame_length < info.duration - TRUNCATION_TOLERANCE:
        raise InvalidVideo(
            f"The video is truncated: frames stop at {last_time:.1f} s of the "
            f"{info.duration:.1f} s it states."
        )


def _scaled(width: int, height: int, side: int) -> tuple[int, int]:
    scale = min(1.0, side / max(width, height, 1))
    # Even sizes: some pixel formats' converters need them.
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def frame_at(fh: IO[bytes], seconds: float) -> Image.Image:
    """The full-size frame shown at `seconds` (seek to the keyframe before it, decode on)."""
    with open_video(fh) as (container, info):
        stream = container.streams.video[0]
        seconds = min(max(0.0, seconds), info.duration)
        container.seek(int(seconds / stream.time_base), stream=stream, backward=True)
        chosen = None
        try:
            for frame in container.decode(stream):
                if frame.time is None:
                    continue
                chosen = frame
                if frame.time + 1e-6 >= seconds:
                    break
        except av.error.FFmpegError as exc:
            raise InvalidVideo(f"The video is damaged at {seconds:.1f} s ({exc}).") from exc
        if chosen is None:
            raise InvalidVideo(f"No frame can be decoded at {seconds:.1f} s.")
        return chosen.to_image()


def is_video(fh: IO[bytes]) -> bool:
    """Whether the file's content is a video in a supported container (its extension is not
    looked at). Reads only what ffmpeg's probe needs."""
    try:
        container = av.open(fh, mode="r")
    except (av.error.FFmpegError, ValueError, OSError):
        return False
    try:
        return container.format.name in CONTAINERS and bool(container.streams.video)
    finally:
        container.close()
