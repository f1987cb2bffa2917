"""Videos made in the tests with PyAV from the demo photos: one photo per shot, a few seconds
each, small (480x360, 5 fps) so that encoding and analysis stay fast."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .conftest import DEMO_PHOTOS

SIZE = (480, 360)
FPS = 5
PERSON_PHOTO = "people_astronaut_eileen_collins.jpg"
HEADLINE = "HARBOUR FIRE"


@dataclass
class Shot:
    source: str  # a demo photo's file name, or "text"
    seconds: float


# Shot 2 and 4 show the astronaut (the named person), shot 3 a coffee cup, shot 5 text.
SHOTS = [
    Shot("animal_cat_chelsea.jpg", 3),
    Shot(PERSON_PHOTO, 3),
    Shot("food_coffee_cup.jpg", 3),
    Shot(PERSON_PHOTO, 3),
    Shot("text", 3),
]


def shot_times(shots: list[Shot] = SHOTS) -> list[tuple[float, float]]:
    times, start = [], 0.0
    for shot in shots:
        times.append((start, start + shot.seconds))
        start += shot.seconds
    return times


def frame_of(source: str, size: tuple[int, int] = SIZE) -> Image.Image:
    """The photo letterboxed into the frame (nothing cropped: the face stays whole), or a
    headline in large letters."""
    canvas = Image.new("RGB", size, "white" if source == "text" else "black")
    if source == "text":
        font = ImageFont.load_default(size=size[1] // 6)
        draw = ImageDraw.Draw(canvas)
        box = draw.textbbox((0, 0), HEADLINE, font=font)
        x = (size[0] - (box[2] - box[0])) // 2
        y = (size[1] - (box[3] - box[1])) // 2
        draw.text((x, y), HEADLINE, fill="black", font=font)
        return canvas
    photo = Image.open(DEMO_PHOTOS / source).convert("RGB")
    photo.thumbnail(size)
    canvas.paste(photo, ((size[0] - photo.width) // 2, (size[1] - photo.height) // 2))
    return canvas


def make_video(
    path: Path,
    shots: list[Shot] = SHOTS,
    size: tuple[int, int] = SIZE,
    fps: int = FPS,
    container: str = "mp4",
) -> Path:
    """Encode the shots (H.264 in MP4, VP9 in WebM) with PyAV; returns the path."""
    import av

    codec = "libvpx-vp9" if container == "webm" else "h264"
    with av.open(str(path), mode="w", format=container) as output:
        stream = output.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for shot in shots:
            image = frame_of(shot.source, size)
            for _ in range(round(shot.seconds * fps)):
                for packet in stream.encode(av.VideoFrame.from_image(image)):
                    output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return path


def name_person_from_still(name: str, title: str = "Eileen Collins, astronaut"):
    """A still of the astronaut, analysed (faces only), its face confirmed as a new person
    called `name`: the person videos recognise. Returns (image, person)."""
    from django.core.files import File
    from django.test import override_settings

    from photodesk import tasks
    from photodesk.conf import user_settings
    from photodesk.host import get_image_model
    from photodesk.models import Face, Person

    from .face_fixtures import FAST_ANALYZERS

    with override_settings(PHOTODESK={**user_settings(), "ANALYZERS": FAST_ANALYZERS}):
        still = get_image_model()(title=title)
        with (DEMO_PHOTOS / PERSON_PHOTO).open("rb") as fh:
            still.file.save("video-person.jpg", File(fh), save=True)
        tasks.analyze_now(still)
    person = Person.objects.create(name=name)
    Face.objects.filter(image=still).update(person=person, state=Face.State.CONFIRMED)
    return still, person


# The café clip of the suggestion tests: the astronaut, then the coffee cup from 3 to 6 s.
CAFE_SHOTS = SHOTS[1:3]
COFFEE_SHOT = (3.0, 6.0)


def save_cafe_video(video, folder: Path, analyse: bool = True):
    """`video` (unsaved, of the site's video model) holding the café clip, saved and, unless
    told not to, analysed by the real pipeline."""
    from django.core.files import File

    with make_video(folder / "cafe.mp4", CAFE_SHOTS).open("rb") as fh:
        video.file.save("cafe.mp4", File(fh), save=True)
    if analyse:
        from photodesk import tasks

        assert tasks.analyze_video_now(video).status == "done"
    return video
