"""Photodesk's host adapter for a Wagtail site (PHOTODESK["HOST"]): images are Wagtail's image
model (wagtail.images.get_image_model()), thumbnails are Wagtail renditions, usage comes from
Wagtail's ReferenceIndex and an article is a page (its title and Draftail rich text or
StreamField body as plain text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.images.models import SourceImageIOError

from photodesk.conf import photodesk_settings
from photodesk.contrib.wagtail import pages, text, usage
from photodesk.host import Host


class WagtailHost(Host):
    """Credit, rights and their labels come from the base class, which reads the fields a
    custom Wagtail image model may add (IMAGE_FIELDS); Wagtail's own image has none."""

    # --- images ---
    def image_model(self) -> type[models.Model]:
        return get_image_model()

    def new_image(self, name: str, content: Any) -> models.Model:
        # What Wagtail's upload form does: the title is the file name without its extension
        # (a Wagtail image needs one), and the size and hash renditions are cached under.
        image = super().new_image(name, content)
        image.title = name.rsplit(".", 1)[0][: image._meta.get_field("title").max_length]
        if not (image.width and image.height):
            # Django reads the size when a file is assigned, except from an in-memory
            # ContentFile (a video's frame): read it from the stored file then.
            with image.file.open("rb") as fh, PILImage.open(fh) as picture:
                image.width, image.height = picture.size
        image._set_image_file_metadata()
        image.file.close()
        return image

    def image_title(self, image: Any) -> str:
        return image.title or ""

    def image_caption(self, image: Any) -> str:
        # A custom image model's caption, else Wagtail's own description (its alt text).
        return getattr(image, "caption", "") or getattr(image, "description", "") or ""

    def image_field_name(self, role: str) -> str | None:
        name = super().image_field_name(role)
        if role == "added" and name not in {f.name for f in self.image_model()._meta.get_fields()}:
            return "created_at"  # Wagtail's own: when the image was uploaded
        return name

    def thumbnail_url(self, image: Any) -> str:
        try:
            return image.get_rendition(photodesk_settings.WAGTAIL_THUMBNAIL_FILTER).url
        except (SourceImageIOError, OSError, ValueError):
            return ""

    def image_admin_url(self, image: Any) -> str:
        return reverse("wagtailimages:edit", args=[image.pk])

    def focal_point_changed(self, image: Any, box: list[int]) -> None:
        # Wagtail keeps the focal point's centre and size; its renditions with a fill crop
        # then follow the same region. An update, not save(): no signals, no re-analysis.
        x, y, w, h = box
        type(image).objects.filter(pk=image.pk).update(
            focal_point_x=x + w // 2,
            focal_point_y=y + h // 2,
            focal_point_width=w,
            focal_point_height=h,
        )

    # --- articles (pages) ---
    def article_model(self) -> type[models.Model] | None:
        configured = list(pages.configured_pages())
        return configured[0] if configured else None

    def article_text(self, article: Any) -> tuple[str, str]:
        page = getattr(article, "specific", article)
        return page.title or "", text.plain_text(page, pages.fields_of(page).body)

    def article_images(self, article: Any) -> set[int]:
        page = getattr(article, "specific", article)
        fields = pages.fields_of(page)
        used = text.images_in(page, fields.body, self.image_model())
        lead = getattr(page, f"{fields.lead_image}_id", None) if fields.lead_image else None
        return used | ({lead} if lead else set())

    def last_used(self, image_ids: Iterable[int]) -> dict[int, dt.datetime]:
        return usage.last_used(image_ids)

    def usage_known(self) -> bool:
        return True  # Wagtail's ReferenceIndex records every use
