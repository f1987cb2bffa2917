"""Photodesk's tags mirrored into the Wagtail image's own tags (django-taggit), when
PHOTODESK["WAGTAIL_TAG_LABELS"] says which: "accepted" (a reviewer accepted them) or
"visible" (those and the ones applied automatically).

A tag is added once; if a person removes it from the image, it stays removed. When its label is
rejected (or no longer visible), Photodesk removes the tag only if it added it: a tag people
typed is never removed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from photodesk.conf import photodesk_settings
from photodesk.contrib.wagtail.models import MirroredTag
from photodesk.host import get_image_model
from photodesk.models import ImageLabel

MODES = {
    "accepted": [ImageLabel.State.ACCEPTED],
    "visible": [ImageLabel.State.ACCEPTED, ImageLabel.State.AUTO],
}


def mirroring() -> bool:
    return photodesk_settings.WAGTAIL_TAG_LABELS in MODES


def wanted_tags(image_id: int) -> set[str]:
    states = MODES[photodesk_settings.WAGTAIL_TAG_LABELS]
    rows = ImageLabel.objects.filter(image_id=image_id, state__in=states, label__active=True)
    return set(rows.values_list("label__name", flat=True))


def mirror_tags(image_ids: Iterable[int]) -> None:
    """Bring the images' tags in line with their labels (see the module's docstring)."""
    if not mirroring():
        return
    images = get_image_model().objects.filter(pk__in=set(image_ids)).prefetch_related("tags")
    for image in images:
        with transaction.atomic():
            _mirror(image)


def _mirror(image) -> None:
    wanted = wanted_tags(image.pk)
    current = {tag.name.lower() for tag in image.tags.all()}
    ours = {m.name.lower(): m for m in MirroredTag.objects.filter(image=image)}
    added = [name for name in sorted(wanted) if name.lower() not in set(ours) | current]
    if added:
        image.tags.add(*added)
        MirroredTag.objects.bulk_create(
            [MirroredTag(image=image, name=name) for name in added], ignore_conflicts=True
        )
    gone = [m for key, m in ours.items() if key not in {w.lower() for w in wanted}]
    if gone:
        names = {m.name.lower() for m in gone}
        image.tags.remove(*[tag for tag in image.tags.all() if tag.name.lower() in names])
        MirroredTag.objects.filter(pk__in=[m.pk for m in gone]).delete()
