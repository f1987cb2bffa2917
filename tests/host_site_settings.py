"""Settings of a host site that tests start in a subprocess: the test settings without
DEFAULT_AUTO_FIELD (Django's default, as on a site that never set it). With HOST_SITE=bare,
also without the task queue (django_q, Q_CLUSTER) and the optional article and usage settings."""

import os

from settings.test import *  # noqa: F403
from settings.test import INSTALLED_APPS, PHOTODESK

globals().pop("DEFAULT_AUTO_FIELD")

if os.environ.get("HOST_SITE") == "bare":
    INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "django_q"]
    globals().pop("Q_CLUSTER")
    PHOTODESK = {
        key: value
        for key, value in PHOTODESK.items()
        if key not in {"ARTICLE_MODEL", "SUGGEST_USAGE_FUNCTION"}
    }
