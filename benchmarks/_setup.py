"""Shared by the benchmarks: Django on settings.bench (its own database, media and index)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings.bench")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def override_photodesk(items: list[str]) -> dict:
    """Apply NAME=VALUE (JSON value) overrides of PHOTODESK settings for this run."""
    import json

    from django.conf import settings
    from django.test import override_settings

    changes = {k: json.loads(v) for k, v in (item.split("=", 1) for item in items)}
    if changes:
        override_settings(PHOTODESK={**settings.PHOTODESK, **changes}).enable()
        print("settings:", changes)
    return changes
