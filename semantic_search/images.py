"""Access to the configured image model and its file, whatever model the site uses."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models

from .conf import photodesk_settings


def get_image_model() -> type[models.Model]:
    return apps.get_model(photodesk_settings.IMAGE_MODEL)


def image_file(image: Any):
    return getattr(image, photodesk_settings.IMAGE_FILE_FIELD)
