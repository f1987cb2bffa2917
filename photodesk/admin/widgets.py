"""The article's lead image field: the admin's raw-id input (it scales to any archive size)
with a preview of the chosen image, which the suggest panel and the lookup popup update."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.urls import NoReverseMatch, reverse


class LeadImageWidget(ForeignKeyRawIdWidget):
    template_name = "semantic_search/widgets/lead_image.html"

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        try:
            template = reverse("admin:semantic_search_thumbnail", args=[0])
        except NoReverseMatch:  # the site serves no admin thumbnails
            template = ""
        context["thumbnail_url_template"] = template
        context["thumbnail_url"] = template.replace("/0/", f"/{value}/") if value else ""
        return context
