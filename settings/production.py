"""Production: everything from environment variables.

DATABASE_URL (Postgres), OPENSEARCH_URL (+ OPENSEARCH_USERNAME/PASSWORD, OPENSEARCH_CA_CERTS,
OPENSEARCH_VERIFY_CERTS, OPENSEARCH_INDEX, OPENSEARCH_REPLICAS), AWS_STORAGE_BUCKET_NAME (S3 through
django-storages), REDIS_URL (django-q2 broker), DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS,
PHOTODESK_MODEL_DIR.
"""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import PHOTODESK, Q_CLUSTER, STORAGES


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"Environment variable {name} must be set in production.")
    return value


DEBUG = False
SECRET_KEY = _required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
DATABASES = {"default": dj_database_url.parse(_required("DATABASE_URL"), conn_max_age=60)}

if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES = {
        **STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
                "location": os.environ.get("AWS_S3_PREFIX", ""),
                "region_name": os.environ.get("AWS_S3_REGION_NAME"),
                "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL"),
                "file_overwrite": False,
            },
        },
    }

if os.environ.get("REDIS_URL"):
    Q_CLUSTER = {
        **{k: v for k, v in Q_CLUSTER.items() if k != "orm"},
        "redis": os.environ["REDIS_URL"],
        "workers": int(os.environ.get("Q_WORKERS", 2)),
    }

PHOTODESK = {
    **PHOTODESK,
    "MODEL_DIR": os.environ.get("PHOTODESK_MODEL_DIR", PHOTODESK["MODEL_DIR"]),
}
if os.environ.get("OPENSEARCH_URL"):
    PHOTODESK["INDEX_BACKEND"] = "semantic_search.index.opensearch.OpenSearchIndex"
    PHOTODESK["OPENSEARCH_URL"] = os.environ["OPENSEARCH_URL"]
    # Optional: credentials (or put them in the URL), a CA bundle, the alias, replicas.
    for name in ("OPENSEARCH_INDEX", "OPENSEARCH_USERNAME", "OPENSEARCH_PASSWORD"):
        if os.environ.get(name):
            PHOTODESK[name] = os.environ[name]
    if os.environ.get("OPENSEARCH_CA_CERTS"):
        PHOTODESK["OPENSEARCH_CA_CERTS"] = os.environ["OPENSEARCH_CA_CERTS"]
    if os.environ.get("OPENSEARCH_VERIFY_CERTS", "1").lower() in {"0", "false", "no"}:
        PHOTODESK["OPENSEARCH_VERIFY_CERTS"] = False
    if os.environ.get("OPENSEARCH_REPLICAS"):
        PHOTODESK["OPENSEARCH_REPLICAS"] = int(os.environ["OPENSEARCH_REPLICAS"])
