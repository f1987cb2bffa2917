"""When articles last used images: as their lead image, or as an `[image:<id>]` line in the body
(what the editor's "Insert into body" writes). Photodesk reads this through the setting
PHOTODESK["SUGGEST_USAGE_FUNCTION"], so the plugin never imports the CMS; which images one
article uses is Photodesk's Host's answer (photodesk.host)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from cms_images.models import Article
from photodesk.host import host


def last_used(image_ids: Iterable[int]) -> dict[int, dt.datetime]:
    """{image id: when the latest article using it was published (or last saved)}; images no
    article uses are left out."""
    ids = {int(i) for i in image_ids}
    if not ids:
        return {}
    in_body = Q()
    for image_id in ids:
        in_body |= Q(body__contains=host().image_token(image_id))
    used: dict[int, dt.datetime] = {}
    articles = Article.objects.filter(Q(lead_image_id__in=ids) | in_body).only(
        "lead_image_id", "body", "published_at", "updated"
    )
    for article in articles:
        when = article.published_at or article.updated
        for image_id in host().article_images(article) & ids:
            if image_id not in used or when > used[image_id]:
                used[image_id] = when
    return used
