"""Smart crops: the crop window never cuts a face when a window exists that does not, keeps
the focal region, and the focal region follows faces (named people first), text and saliency."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image, ImageDraw

from photodesk.crops.focal import FaceIn, face_weights, focal_region
from photodesk.crops.geometry import Box, centre_crop, crop_window, parse_ratio
from photodesk.crops.saliency import saliency_map

RATIOS = ["16:9", "4:3", "1:1", "4:5", "9:16"]


def scene(width: int, height: int, faces: list[Box]) -> Image.Image:
    """A generated photo: textured background, a skin-coloured oval (with eyes) per face."""
    rng = np.random.default_rng(0)
    noise = rng.integers(90, 120, size=(height, width, 3), dtype=np.uint8)
    img = Image.fromarray(noise, "RGB")
    draw = ImageDraw.Draw(img)
    for f in faces:
        draw.ellipse([f.x, f.y, f.x2, f.y2], fill=(224, 172, 140))
        for ex in (0.3, 0.7):
            cx, cy = f.x + f.w * ex, f.y + f.h * 0.4
            draw.ellipse([cx - f.w * 0.06, cy - f.h * 0.05, cx + f.w * 0.06, cy + f.h * 0.05], 0)
    return img


def crop_for(img: Image.Image, faces: list[Box], ratio: str) -> Box:
    people = [FaceIn(b) for b in faces]
    focal = focal_region(img.width, img.height, people).box
    return crop_window(
        img.width, img.height, float(parse_ratio(ratio)), focal, faces, face_weights(people)
    )


def assert_inside(window: Box, width: int, height: int) -> None:
    assert window.x >= -1e-6 and window.y >= -1e-6
    assert window.x2 <= width + 1e-6 and window.y2 <= height + 1e-6


@pytest.mark.parametrize("left", [20, 260, 1160, 1400])
def test_square_crop_keeps_a_face_near_the_edge_whole(left):
    # A landscape photo with the face near one edge: the centre square cuts it or loses it.
    face = Box(left, 160, 180, 200)
    img = scene(1600, 900, [face])
    assert not centre_crop(1600, 900, 1.0).contains(face)
    window = crop_for(img, [face], "1:1")
    assert window.contains(face)
    assert window.w == pytest.approx(900) and window.h == pytest.approx(900)  # largest square
    assert_inside(window, 1600, 900)


def test_portrait_crops_of_a_landscape_keep_the_face():
    face = Box(1380, 300, 120, 140)
    img = scene(1600, 900, [face])
    for ratio in ("4:5", "9:16"):
        window = crop_for(img, [face], ratio)
        assert window.contains(face), ratio
        assert window.h == pytest.approx(900)


def test_two_faces_at_both_edges_never_cut_in_half():
    # No square holds both: the crop keeps one whole and leaves the other wholly out.
    faces = [Box(10, 300, 150, 170), Box(1440, 300, 150, 170)]
    img = scene(1600, 900, faces)
    window = crop_for(img, faces, "1:1")
    assert not any(window.cuts(f) for f in faces)
    assert sum(window.contains(f) for f in faces) == 1


def test_a_face_is_left_whole_outside_rather_than_cut():
    # The main face is left; a second face sits where the largest square's edge would fall.
    faces = [Box(100, 200, 300, 340), Box(820, 250, 140, 160)]
    window = crop_window(1600, 900, 1.0, Box(40, 100, 420, 600), faces)
    assert not any(window.cuts(f) for f in faces)
    assert window.contains(faces[0])


def test_a_smaller_window_when_every_largest_one_cuts_a_face():
    # Faces spread so every 900-px square cuts one: a smaller square cuts none.
    faces = [Box(0, 100, 200, 220), Box(700, 100, 200, 220), Box(1400, 100, 200, 220)]
    window = crop_window(1600, 900, 1.0, Box(0, 100, 200, 220), faces)
    assert not any(window.cuts(f) for f in faces)
    assert window.contains(faces[0])


def test_named_person_outranks_unnamed_faces():
    named = FaceIn(Box(1300, 200, 100, 120), named=True)
    bigger_unnamed = FaceIn(Box(200, 200, 200, 240))
    focal = focal_region(1600, 900, [named, bigger_unnamed]).box
    assert focal.contains(named.box)
    assert not focal.contains(bigger_unnamed.box)
    window = crop_window(
        1600,
        900,
        1.0,
        focal,
        [named.box, bigger_unnamed.box],
        face_weights([named, bigger_unnamed]),
    )
    assert window.contains(named.box)


def test_a_crowd_counts_less_than_a_few_people():
    few = face_weights([FaceIn(Box(0, 0, 50, 50)) for _ in range(3)])
    crowd = face_weights([FaceIn(Box(0, 0, 50, 50)) for _ in range(12)])
    assert crowd[0] < few[0]


def test_without_faces_or_focal_region_the_crop_is_centred():
    assert crop_window(1600, 900, 1.0) == centre_crop(1600, 900, 1.0) == Box(350, 0, 900, 900)


def test_focal_region_is_kept_by_every_ratio_when_it_fits():
    focal = Box(1200, 500, 200, 200)
    for name in RATIOS:
        window = crop_window(1600, 900, float(parse_ratio(name)), focal)
        assert window.contains(focal), name
        assert_inside(window, 1600, 900)
        assert window.w / window.h == pytest.approx(float(parse_ratio(name)), rel=1e-6)


def test_random_scenes_never_cut_a_face_when_a_largest_window_exists_that_does_not():
    rng = random.Random(7)
    for _ in range(60):
        width, height = rng.choice([(1600, 900), (900, 1600), (1200, 1200)])
        faces = []
        for _ in range(rng.randint(1, 4)):
            size = rng.randint(60, 220)
            faces.append(
                Box(rng.uniform(0, width - size), rng.uniform(0, height - size), size, size)
            )
        for name in RATIOS:
            ratio = float(parse_ratio(name))
            window = crop_window(width, height, ratio, None, faces)
            assert_inside(window, width, height)
            # Brute force over the largest windows, 1-pixel steps along the free axis.
            w, h = window.w, window.h
            if not any(window.cuts(f) for f in faces):
                continue
            free = np.arange(0, max(width - w, height - h) + 1)
            for start in free:
                candidate = Box(start, 0, w, h) if w < width else Box(0, start, w, h)
                assert any(candidate.cuts(f) for f in faces), (name, faces)


def test_focal_region_from_text_when_there_are_no_faces():
    # A big headline banner in the lower right; saliency off.
    banner = Box.of([[1000, 700], [1550, 700], [1550, 820], [1000, 820]])
    focal = focal_region(1600, 900, text=[banner]).box
    assert focal.intersection(banner) == pytest.approx(focal.area, rel=0.05)
    # Fine print (a credit line) does not move it.
    assert focal_region(1600, 900, text=[Box(10, 880, 200, 12)]).basis == "centre"


@pytest.mark.parametrize("method", ["spectral", "edges"])
def test_saliency_finds_a_lone_object_on_a_plain_background(method):
    img = Image.new("RGB", (1600, 900), (90, 140, 200))
    ImageDraw.Draw(img).rectangle([1150, 200, 1450, 500], fill=(250, 220, 30))
    region = focal_region(1600, 900, saliency=saliency_map(img, method))
    assert region.basis == "saliency"
    cx, cy = region.box.centre
    assert 1100 <= cx <= 1500 and 150 <= cy <= 550


def test_bad_ratio_is_a_clear_error():
    for bad in ["16x9", "0:1", "a:b", ""]:
        with pytest.raises(ValueError, match="aspect ratio"):
            parse_ratio(bad)


def test_bad_crop_settings_are_named_by_the_system_checks(settings):
    from photodesk.checks import check_crops

    assert check_crops(None) == []
    settings.PHOTODESK = {**settings.PHOTODESK, "CROP_RATIOS": ["16:9", "wide"]}
    assert [m.id for m in check_crops(None)] == ["photodesk.E100"]
    settings.PHOTODESK = {**settings.PHOTODESK, "CROP_RATIOS": ["4:3"], "CROP_SALIENCY": "x"}
    assert [m.id for m in check_crops(None)] == ["photodesk.E101", "photodesk.E102"]


@pytest.mark.parametrize("person,slot", [("p16598", 0.12), ("p2081446176", 0.9)])
def test_a_real_face_pasted_near_the_edge_is_kept_whole_by_the_square_crop(person, slot):
    """A real face (tests/face_scenes.py) pasted near the left or right edge of a wide photo,
    found by the face detector the pipeline runs: the 1:1 crop keeps it whole, the centre
    square does not."""
    from pathlib import Path

    from photodesk.analysis.analyzers.faces import MIN_SCORE
    from photodesk.inference.faces import FaceDetector

    from .conftest import need
    from .face_scenes import SHARED, available, paste

    need(available(), "the shared photos are missing")
    background = Image.open(SHARED / "demo/city_brick_wall.jpg").convert("RGB").resize((1600, 900))
    paste(background, person, random.Random(1), (slot, 0.45))
    found = [
        f for f in FaceDetector(Path("/unused"), 1).predict(background) if f["score"] >= MIN_SCORE
    ]
    assert len(found) == 1, found
    face = Box.of(found[0]["box"])
    assert not centre_crop(1600, 900, 1.0).contains(face)
    window = crop_for(background, [face], "1:1")
    assert window.contains(face)
    assert window.h == pytest.approx(900)


@pytest.mark.parametrize("method", ["spectral", "edges"])
def test_a_flat_picture_is_cropped_in_the_centre(method):
    img = Image.new("RGB", (320, 180), (40, 90, 160))
    focal = focal_region(320, 180, saliency=saliency_map(img, method))
    assert focal.basis == "centre" and focal.box == Box(0, 0, 320, 180)
