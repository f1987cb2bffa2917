"""System checks of the Wagtail integration (photodesk_wagtail.E001, W001-W002)."""

from __future__ import annotations

from django.core.checks import Error, Warning, register
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from photodesk.contrib.wagtail.pages import configured_pages


@register()
def check_wagtail(app_configs, **kwargs) -> list:
    messages = []
    try:
        pages = configured_pages()
    except (LookupError, ValueError, TypeError) as exc:
        return [
            Error(
                f"PHOTODESK['WAGTAIL_SUGGEST_PAGES'] is not usable: {exc}.",
                hint='{"app.PageModel": {"body": "body", "lead_image": "lead_image"}}',
                id="photodesk_wagtail.E001",
            )
        ]
    for model, fields in pages.items():
        names = {f.name for f in model._meta.get_fields()}
        for role, name in (("body", fields.body), ("lead_image", fields.lead_image)):
            if name and name not in names:
                messages.append(
                    Error(
                        f"{model.__name__} has no field {name!r} (its {role} in "
                        "PHOTODESK['WAGTAIL_SUGGEST_PAGES']).",
                        id="photodesk_wagtail.E001",
                    )
                )
        if "edit_handler" in model.__dict__:
            messages.append(
                Warning(
                    f"{model.__name__} defines its own edit_handler: the Suggested images panel "
                    "is not added to it.",
                    hint="Add photodesk.contrib.wagtail.panels.SuggestedImagesPanel() to it.",
                    id="photodesk_wagtail.W001",
                )
            )
    try:
        edit = get_template("wagtailimages/images/edit.html")
    except TemplateDoesNotExist:
        return messages
    if "photodesk" not in str(getattr(edit.origin, "name", "")):
        messages.append(
            Warning(
                "Wagtail's image edit page will not show Photodesk's analysis.",
                hint="List 'photodesk.contrib.wagtail' before the wagtail apps in INSTALLED_APPS.",
                id="photodesk_wagtail.W002",
            )
        )
    return messages
