"""The "Suggested images" panel of Wagtail's page editor.

Added after the body of each page type in PHOTODESK["WAGTAIL_SUGGEST_PAGES"] when the app is
ready (a site may also put SuggestedImagesPanel() in its own content_panels). The panel is
a place for the JavaScript (static/photodesk_wagtail/suggest_panel.js), which reads the title
and body as they are typed, asks views.suggest, and uses Wagtail's image chooser and Draftail.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from wagtail.admin.panels import Panel

from photodesk.contrib.wagtail.pages import configured_pages


class SuggestedImagesPanel(Panel):
    def __init__(
        self, body: str | None = "body", lead_image: str | None = "lead_image", **kwargs: Any
    ) -> None:
        kwargs.setdefault("heading", "Suggested images")
        super().__init__(**kwargs)
        self.body = body
        self.lead_image = lead_image

    def clone_kwargs(self) -> dict[str, Any]:
        return {**super().clone_kwargs(), "body": self.body, "lead_image": self.lead_image}

    class BoundPanel(Panel.BoundPanel):
        template_name = "photodesk_wagtail/suggest_panel.html"

        def get_context_data(self, parent_context=None) -> dict[str, Any]:
            context = super().get_context_data(parent_context)
            context.update(
                {
                    "suggest_url": reverse("photodesk_wagtail:suggest"),
                    "search_url": reverse("photodesk_wagtail:search"),
                    "still_url": reverse("photodesk_wagtail:video_still"),
                    "page_id": self.instance.pk if self.instance is not None else None,
                    "body_field": self.panel.body or "",
                    "lead_image_field": self.panel.lead_image or "",
                }
            )
            return context

        class Media:
            js = ["photodesk_wagtail/suggest_panel.js"]
            css = {"all": ["photodesk_wagtail/suggest_panel.css"]}


def add_to_configured_pages() -> None:
    """Put the panel after the body of each configured page type (checks.py reports a
    setting that names no model, and page types whose own edit_handler ignores content_panels)."""
    try:
        pages = configured_pages()
    except (LookupError, ValueError, TypeError):
        return
    for model, fields in pages.items():
        panels = list(model.content_panels)
        if any(isinstance(panel, SuggestedImagesPanel) for panel in panels):
            continue
        after_body = next(
            (i + 1 for i, p in enumerate(panels) if getattr(p, "field_name", None) == fields.body),
            len(panels),
        )
        panels.insert(after_body, SuggestedImagesPanel(fields.body, fields.lead_image))
        model.content_panels = panels
