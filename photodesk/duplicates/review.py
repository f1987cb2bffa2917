"""What a person compares to choose which copy to keep: each member's size in pixels and
bytes, dates, credit and rights, and what people said about it (tags, named people, words
from use). The admin screen and the API show the same facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q

from photodesk.host import host, short_text
from photodesk.models import DuplicateGroup, Face, ImageAnalysis, ImageFingerprint, ImageLabel

GROUP_PERMISSION = "semantic_search.change_duplicategroup"


def may_resolve(user: Any, action: str) -> bool:
    """Resolving a group changes the kept image (change permission on the site's image
    model); deleting the others needs the delete permission too."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_active:
        return False
    opts = host().image_model()._meta
    needed = [GROUP_PERMISSION, f"{opts.app_label}.change_{opts.model_name}"]
    if action == DuplicateGroup.Action.DELETE:
        needed.append(f"{opts.app_label}.delete_{opts.model_name}")
    return user.has_perms(needed)


def members(group: DuplicateGroup) -> list[dict[str, Any]]:
    """The group's images, the suggested one to keep first (most pixels, then most bytes,
    then the oldest)."""
    h = host()
    rows = {m.image_id: m for m in group.members.all()}
    images = h.image_model().objects.filter(pk__in=rows)
    prints = {f.image_id: f for f in ImageFingerprint.objects.filter(image_id__in=rows)}
    taken = dict(
        ImageAnalysis.objects.filter(image_id__in=rows).values_list("image_id", "photo_metadata")
    )
    tags = dict(
        ImageLabel.objects.filter(image_id__in=rows)
        .values("image_id")
        .annotate(n=Count("pk", filter=Q(state=ImageLabel.State.ACCEPTED)))
        .values_list("image_id", "n")
    )
    people: dict[int, list[str]] = {}
    for image_id, name in (
        Face.objects.filter(image_id__in=rows).showing().values_list("image_id", "person__name")
    ):
        people.setdefault(image_id, []).append(name)
    usage = dict(
        h.image_model()
        .objects.filter(pk__in=rows)
        .annotate(
            n=Count("photodesk_usage_words", filter=Q(photodesk_usage_words__removed_at=None))
        )
        .values_list("pk", "n")
    )
    out = []
    for image in images:
        fp = prints.get(image.pk)
        member = rows[image.pk]
        added = h.image_added(image)
        out.append(
            {
                "id": image.pk,
                "title": h.image_title(image),
                "thumbnail_url": h.thumbnail_url(image),
                "admin_url": h.image_admin_url(image),
                "width": fp.width if fp else 0,
                "height": fp.height if fp else 0,
                "file_size": fp.file_size if fp else 0,
                "added": added,
                "taken": str((taken.get(image.pk) or {}).get("date_taken") or "") or None,
                "credit": h.image_credit(image),
                "rights": h.image_rights(image),
                "rights_label": h.rights_label(image),
                "caption": short_text(h.image_caption(image), 200),
                "accepted_labels": tags.get(image.pk, 0),
                "people": sorted(set(people.get(image.pk, []))),
                "used_in": usage.get(image.pk, 0),
                "similarity": member.similarity,
                "hash_bits": member.hash_bits,
            }
        )
    latest = dt.datetime.max.replace(tzinfo=dt.UTC)  # an image without a date sorts last
    out.sort(
        key=lambda m: (-(m["width"] * m["height"]), -m["file_size"], m["added"] or latest, m["id"])
    )
    return out
