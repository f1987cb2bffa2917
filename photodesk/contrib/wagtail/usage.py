"""Where images are used, from Wagtail's ReferenceIndex (foreign keys, image blocks and rich
text embeds of every indexed model): for a page, the time it was last published (or last
edited, for a draft). Point PHOTODESK["SUGGEST_USAGE_FUNCTION"] here, or let WagtailHost use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, ReferenceIndex

from photodesk.host import get_image_model


def last_used(image_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """{image id: latest use on a page}; images no page uses are left out."""
    ids = {str(int(i)) for i in image_ids}
    if not ids:
        return {}
    references = ReferenceIndex.objects.filter(
        to_content_type=ContentType.objects.get_for_model(get_image_model()),
        to_object_id__in=ids,
        base_content_type=ContentType.objects.get_for_model(Page),
    ).values_list("to_object_id", "object_id")
    pages_of: dict[int, set[int]] = {}
    for image_id, page_id in references:
        pages_of.setdefault(int(page_id), set()).add(int(image_id))
    used: dict[int, dt.datetime] = {}
    pages = Page.objects.filter(pk__in=pages_of).values_list(
        "pk", "last_published_at", "latest_revision_created_at"
    )
    for page_id, published, edited in pages:
        when = published or edited
        if when is None:
            continue
        for image_id in pages_of[page_id]:
            if image_id not in used or when > used[image_id]:
                used[image_id] = when
    return used
