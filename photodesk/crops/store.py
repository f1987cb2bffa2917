"""Each image's focal region, found from its analysis and kept in FocalRegion; its crops.

Finding it reads only what analysis already stored (Face rows, OCR lines) plus, for a photo
without faces, a saliency map of a 64-pixel grey copy: a few milliseconds per image.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from PIL import Image

from photodesk.conf import photodesk_settings
from photodesk.crops.focal import FaceIn, Focal, face_weights, focal_region
from photodesk.crops.geometry import Box, crop_window, parse_ratio
from photodesk.crops.renditions import open_upright, upright_size
from photodesk.crops.saliency import saliency_map
from photodesk.host import host
from photodesk.models import Face, FocalRegion, ImageAnalysis

# The saliency map is computed on a 64-pixel copy: a JPEG decoded at 1/8 scale is plenty.
SALIENCY_DECODE = 256


class FocalRegionError(ValueError):
    """A focal region that does not fit the image."""


def faces_of(image: Any) -> list[FaceIn]:
    """The image's faces; those whose person is decided count as named."""
    rows = Face.objects.filter(image=image).only("box", "person_id", "state")
    return [
        FaceIn(Box.of(f.box), named=f.person_id is not None and f.state in Face.SHOWING_STATES)
        for f in rows
    ]


def text_boxes(analysis: ImageAnalysis | None) -> list[Box]:
    lines = analysis.ocr_lines if analysis is not None else []
    return [Box.of(line["box"]) for line in lines or [] if line.get("box")]


def find(image: Any, size: tuple[int, int], pixels: Image.Image | None = None) -> Focal | None:
    """The focal region from stored facts; None when it needs the pixels and has none."""
    width, height = size
    faces = faces_of(image)
    analysis = ImageAnalysis.objects.filter(image=image).first()
    if faces:
        return focal_region(width, height, faces)
    if pixels is None:
        return None
    method = photodesk_settings.CROP_SALIENCY
    saliency = saliency_map(pixels, method) if method else None
    return focal_region(width, height, text=text_boxes(analysis), saliency=saliency)


def update(
    image: Any, pixels: Image.Image | None = None, size: tuple[int, int] | None = None
) -> FocalRegion | None:
    """Find the image's focal region again and store it, unless a person set it.

    `pixels` is the upright photo (the pipeline has it decoded already; a reduced copy will do,
    with the upright `size` of the original); without it, only an image with faces gets a new
    region (faces need no pixels)."""
    region = FocalRegion.objects.filter(image=image).first()
    if region is not None and region.is_human:
        return region
    if size is None and pixels is not None:
        size = pixels.size
    if size is None and region is not None:
        size = (region.image_width, region.image_height)
    if size is None:
        return None
    focal = find(image, size, pixels)
    if focal is None:
        return region
    return _store(image, region, focal.box, size, focal.basis, None)


def ensure(image: Any) -> FocalRegion:
    """The image's focal region, found now from a reduced decode if it has none yet (an image
    analysed before crops existed). Raises RenditionError when the file cannot be read."""
    region = FocalRegion.objects.filter(image=image).first()
    if region is not None:
        return region
    size = upright_size(image)
    found = update(image, open_upright(image, draft=SALIENCY_DECODE), size)
    assert found is not None
    return found


def refresh(image: Any) -> FocalRegion | None:
    """Find an automatic focal region again from a reduced decode (`manage.py crops`)."""
    return update(image, open_upright(image, draft=SALIENCY_DECODE), upright_size(image))


def set_by_person(image: Any, box: list[float], size: tuple[int, int], user: Any) -> FocalRegion:
    """A person's focal region [x, y, w, h] in the upright image of `size`; analysis keeps it
    from then on. Raises FocalRegionError when it does not fit the image."""
    width, height = size
    try:
        x, y, w, h = (float(v) for v in box)
    except (TypeError, ValueError):
        raise FocalRegionError("The focal region is [x, y, width, height] in pixels") from None
    if w < 1 or h < 1 or x < 0 or y < 0 or x + w > width + 0.5 or y + h > height + 0.5:
        raise FocalRegionError(
            f"The focal region {[round(v) for v in (x, y, w, h)]} does not fit the image "
            f"({width} × {height})"
        )
    with transaction.atomic():
        region = FocalRegion.objects.select_for_update().filter(image=image).first()
        stored = _store(image, region, Box(x, y, w, h).clamp(width, height), size, "", user)
    host().focal_point_changed(image, stored.box)
    return stored


def reset(image: Any) -> FocalRegion:
    """Forget a person's focal region: found automatically again."""
    FocalRegion.objects.filter(image=image).delete()
    return ensure(image)


def _store(
    image: Any, region: FocalRegion | None, box: Box, size: tuple[int, int], basis: str, user: Any
) -> FocalRegion:
    x, y, w, h = box.clamp(*size).rounded()
    values = {
        "x": x,
        "y": y,
        "width": max(w, 1),
        "height": max(h, 1),
        "image_width": size[0],
        "image_height": size[1],
        "basis": basis,
        "source": FocalRegion.Source.EDITED if user is not None else FocalRegion.Source.AUTO,
        "edited_by": user,
    }
    if region is None:
        return FocalRegion.objects.create(image=image, **values)
    for name, value in values.items():
        setattr(region, name, value)
    region.save()
    return region


def crop_box(region: FocalRegion, ratio: str, faces: list[FaceIn] | None = None) -> Box:
    """The crop of `ratio` ("16:9") for the image this region belongs to."""
    if faces is None:
        faces = faces_of(region.image_id)
    return crop_window(
        region.image_width,
        region.image_height,
        float(parse_ratio(ratio)),
        Box.of(region.box),
        [f.box for f in faces],
        face_weights(faces),
    )


def crops(region: FocalRegion) -> dict[str, Box]:
    """Every configured ratio's crop."""
    faces = faces_of(region.image_id)
    return {ratio: crop_box(region, ratio, faces) for ratio in photodesk_settings.CROP_RATIOS}


def slug(ratio: str) -> str:
    """ "16:9" → "16x9", as the ratio appears in URLs."""
    return ratio.replace(":", "x")


def configured_ratio(value: str) -> str | None:
    """The configured ratio named `value` ("16:9" or "16x9"), or None."""
    wanted = value.replace("x", ":")
    return wanted if wanted in photodesk_settings.CROP_RATIOS else None


def rendition_size(asked: str | None) -> int:
    """The long side of a rendition: as asked (a positive number), at most the setting."""
    largest = int(photodesk_settings.CROP_RENDITION_SIZE)
    try:
        size = int(asked) if asked else largest
    except ValueError:
        raise ValueError(f"size must be a number of pixels, not {asked!r}") from None
    if size < 16:
        raise ValueError("size must be at least 16 pixels")
    return min(size, largest)
