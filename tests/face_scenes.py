"""A generated face test set: the same people pasted into several scenes.

Source faces are real photos from ../shared/photos with one clear face each (found by running
the detector over demo/ and eval/; each is a different person). Each face is cut out with its
head and some context, then pasted — resized, brightened or darkened, sometimes mirrored — into
background photos that have no face. Nothing is written into the project: scenes go to a
temporary folder given by the caller.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "photos"

# file, face box [x, y, w, h] found by dlib HOG (one clear face in each; different people)
PEOPLE: dict[str, tuple[str, list[int]]] = {
    "astronaut": ("demo/people_astronaut_eileen_collins.jpg", [175, 76, 90, 90]),
    "p16598": ("eval/images/coco_val2017_000000016598.jpg", [182, 96, 129, 129]),
    "p18150": ("eval/images/coco_val2017_000000018150.jpg", [127, 56, 108, 107]),
    "p19924": ("eval/images/coco_val2017_000000019924.jpg", [159, 77, 186, 186]),
    "p1977827746": ("eval/images/flickr8k_1977827746_4e13d7e19f.jpg", [255, 206, 89, 89]),
    "p1989145280": ("eval/images/flickr8k_1989145280_3b54452188.jpg", [77, 180, 185, 186]),
    "p2081446176": ("eval/images/flickr8k_2081446176_f97dc76951.jpg", [139, 153, 129, 129]),
    "p2083778090": ("eval/images/flickr8k_2083778090_3aecaa11cc.jpg", [116, 176, 89, 89]),
    "p2090339522": ("eval/images/flickr8k_2090339522_d30d2436f9.jpg", [196, 182, 129, 129]),
}

# Photos without faces to paste into.
BACKGROUNDS = [
    "demo/city_brick_wall.jpg",
    "demo/food_coffee_cup.jpg",
    "demo/nature_grass_texture.jpg",
    "demo/nature_gravel_texture.jpg",
    "demo/space_moon_surface.jpg",
    "demo/sklearn_flower.jpg",
    "demo/culture_ancient_greek_coins.jpg",
    "demo/science_spacex_falcon9_rocket.jpg",
    "demo/home_wall_clock_motion_blur.jpg",
    "demo/sklearn_china.jpg",
]


def available() -> bool:
    return all((SHARED / f).is_file() for f, _ in PEOPLE.values()) and all(
        (SHARED / b).is_file() for b in BACKGROUNDS
    )


def head(person: str) -> Image.Image:
    """The face with its head around it (the box grown by 60 %), with a soft oval edge."""
    file, (x, y, w, h) = PEOPLE[person]
    img = ImageOps.exif_transpose(Image.open(SHARED / file)).convert("RGB")
    m = 0.6
    crop = img.crop(
        (
            max(0, int(x - w * m)),
            max(0, int(y - h * m)),
            min(img.width, int(x + w * (1 + m))),
            min(img.height, int(y + h * (1 + m))),
        )
    )
    return crop


def _mask(size: tuple[int, int]) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((0, 0, size[0] - 1, size[1] - 1), fill=255)
    return mask.filter(ImageFilter.GaussianBlur(max(2, size[0] // 30)))


@dataclass
class Scene:
    path: Path
    people: list[str]


def paste(
    background: Image.Image, person: str, rng: random.Random, slot: tuple[float, float]
) -> None:
    """Paste `person`'s head into `background` around the relative position `slot`."""
    face = head(person)
    target_w = rng.randint(int(background.width * 0.3), int(background.width * 0.45))
    target_w = max(220, min(target_w, 420))
    face = face.resize((target_w, round(face.height * target_w / face.width)), Image.LANCZOS)
    face = ImageEnhance.Brightness(face).enhance(rng.uniform(0.8, 1.2))
    if rng.random() < 0.3:
        face = ImageOps.mirror(face)
    cx = int(slot[0] * background.width - face.width / 2)
    cy = int(slot[1] * background.height - face.height / 2)
    cx = min(max(0, cx + rng.randint(-20, 20)), max(0, background.width - face.width))
    cy = min(max(0, cy + rng.randint(-20, 20)), max(0, background.height - face.height))
    background.paste(face, (cx, cy), _mask(face.size))


def make_scenes(
    out_dir: Path,
    people: list[str],
    per_person: int,
    pairs: list[tuple[str, str]] = (),
    seed: int = 6,
) -> list[Scene]:
    """`per_person` single-face scenes for each person, plus one scene per pair of people
    together. Backgrounds rotate so one person appears over different scenes."""
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    scenes: list[Scene] = []
    counter = 0

    def background() -> Image.Image:
        nonlocal counter
        file = BACKGROUNDS[counter % len(BACKGROUNDS)]
        counter += 1
        img = ImageOps.exif_transpose(Image.open(SHARED / file)).convert("RGB")
        scale = 900 / max(img.size)  # a common size, like a web photo
        return img.resize((round(img.width * scale), round(img.height * scale)), Image.LANCZOS)

    for person in people:
        for k in range(per_person):
            img = background()
            paste(img, person, rng, (rng.uniform(0.35, 0.65), rng.uniform(0.4, 0.6)))
            path = out_dir / f"{person}_{k}.jpg"
            img.save(path, "JPEG", quality=rng.randint(80, 95))
            scenes.append(Scene(path, [person]))
    for a, b in pairs:
        img = background()
        paste(img, a, rng, (0.27, 0.5))
        paste(img, b, rng, (0.73, 0.5))
        path = out_dir / f"together_{a}_{b}.jpg"
        img.save(path, "JPEG", quality=90)
        scenes.append(Scene(path, [a, b]))
    return scenes
