"""Settings shared by every environment. Environment-specific modules import * from here."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = BASE_DIR.parent / "shared"

SECRET_KEY = "photodesk-insecure-development-key"  # replaced from the environment in production
DEBUG = False
ALLOWED_HOSTS: list[str] = ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's and ReDoc's scripts, served here (no CDN)
    "django_q",
    "cms_images",
    "photodesk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "settings.urls"
WSGI_APPLICATION = "settings.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "var" / "db.sqlite3",
        # The ORM broker and the dev server write concurrently: wait instead of failing.
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "var" / "media"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads above this are refused before they reach the pipeline (see photodesk.conf).
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# django-q2 with the ORM broker: no extra service needed. Production swaps in Redis.
Q_CLUSTER = {
    "name": "photodesk",
    "orm": "default",
    "workers": 1,
    # Sized to the task: an analysis takes seconds (the first, loading models, ~20 s), so a
    # run past 120 s is stuck; the broker hands a task out again only after `retry` (more
    # than the timeout, or a slow task runs twice), and a dead worker's prefetched tasks
    # (queue_limit) wait that long: keep both small (checks W090, W091).
    "timeout": 120,
    "retry": 180,
    "max_attempts": 3,
    "queue_limit": 2,
    "poll": 0.5,
    "catch_up": False,
    "save_limit": 500,
    "ack_failures": True,
}

REST_FRAMEWORK = {
    # Tokens for programs ("Authorization: Token …"), the admin's session login (CSRF-checked
    # by DRF) for browser clients. Token first: anonymous requests get 401 with a challenge.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "photodesk.api.pagination.PhotodeskPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Rates of the scopes the API's throttles use come from PHOTODESK (photodesk/conf.py).
    "DEFAULT_THROTTLE_CLASSES": [],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Photodesk API",
    "DESCRIPTION": "Upload, analyse, search and review a newsroom's image archive.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The readers' scripts and styles from drf-spectacular-sidecar's static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "photodesk.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AnalysisStatusEnum": "photodesk.models.ImageAnalysis.Status",
        "ImageLabelStateEnum": "photodesk.models.ImageLabel.State",
        "FaceStateEnum": "photodesk.models.Face.State",
        "AlertRuleKindEnum": "photodesk.models.AlertRule.Kind",
        "PersonKindEnum": "photodesk.models.Person.Kind",
    },
}

# Photodesk: every key and its default lives in photodesk/conf.py.
PHOTODESK = {
    # The demo CMS's models and usage: Photodesk's defaults name no site's code.
    "IMAGE_MODEL": "cms_images.Image",
    "VIDEO_MODEL": "cms_images.Video",
    # The demo's articles (title, body, lead_image: the default field names) and where they
    # use images (lead image and [image:<id>] lines in bodies).
    "ARTICLE_MODEL": "cms_images.Article",
    "SUGGEST_USAGE_FUNCTION": "cms_images.usage.last_used",
    "MODEL_DIR": SHARED_DIR / "models",
    # The face mesh of series scoring, taken out of the mediapipe wheel by `make install`
    # (../shared/models holds only the files published as they are).
    "EYES_MODEL_DIR": BASE_DIR / "var" / "eyes-model",
    "INDEX_BACKEND": "photodesk.search.index.embedded.EmbeddedIndex",
    "INDEX_PATH": BASE_DIR / "var" / "index",
    "CACHE_DIR": BASE_DIR / "var" / "cache",
}
# The image model the plugin attaches to, in the swappable-model form Django migrations need.
PHOTODESK_IMAGE_MODEL = PHOTODESK["IMAGE_MODEL"]

# One line per event on stderr: plain text here, JSON (python-json-logger, the `demo` extra)
# with DJANGO_LOG_FORMAT=json, the default of settings.production. Photodesk's lines carry
# image_id, task_id, seconds, timings, attempt as JSON keys (their `extra=` fields), and every
# 500 is logged on django.request with its traceback (exc_info).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("DJANGO_LOG_FORMAT", "text"),
        }
    },
    "loggers": {
        "photodesk": {"handlers": ["console"], "level": "INFO"},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
