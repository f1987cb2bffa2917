"""Production: everything from environment variables.

DATABASE_URL (Postgres), OPENSEARCH_URL (+ OPENSEARCH_USERNAME/PASSWORD, OPENSEARCH_CA_CERTS,
OPENSEARCH_VERIFY_CERTS, OPENSEARCH_INDEX, OPENSEARCH_REPLICAS), AWS_STORAGE_BUCKET_NAME (S3 through
django-storages), REDIS_URL (django-q2 broker, and the cache unless DJANGO_CACHE_URL names
another Redis), DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, PHOTODESK_MODEL_DIR,
PHOTODESK_METRICS_TOKEN (Prometheus' bearer token for /metrics), DJANGO_LOG_FORMAT (json, the
default, or text).

HTTPS (README, "HTTPS in production"; secure unless told otherwise): DJANGO_SECURE_SSL_REDIRECT
(1), DJANGO_SECURE_HSTS_SECONDS (31536000; 0 turns HSTS off), DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS
(1), DJANGO_SECURE_HSTS_PRELOAD (0), DJANGO_SECURE_COOKIES (1: session and CSRF cookies over
HTTPS only), DJANGO_SECURE_PROXY_SSL_HEADER (unset; "X-Forwarded-Proto: https" behind a proxy
or load balancer that terminates TLS and sets that header), DJANGO_SECURE_REDIRECT_EXEMPT
(regexes, comma-separated; "^health/": probes over plain HTTP).

AWS (README, "Running on AWS"): AWS_STORAGE_BUCKET_NAME + AWS_S3_PREFIX, AWS_S3_REGION_NAME,
AWS_S3_ENDPOINT_URL (S3-compatible stores), AWS_S3_CUSTOM_DOMAIN (a CDN); PHOTODESK_AWS_REGION;
PHOTODESK_REKOGNITION = the analyzers Rekognition replaces ("labels,faces,text,safety");
PHOTODESK_TEXT_EMBEDDER=bedrock (+ PHOTODESK_BEDROCK_DIMENSION). Credentials: boto3's chain
(instance/task role, AWS_ACCESS_KEY_ID, a profile), never settings.
"""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import LOGGING, PHOTODESK, Q_CLUSTER, STORAGES


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"Environment variable {name} must be set in production.")
    return value


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise RuntimeError(f"Environment variable {name} must be 1 or 0, not {value!r}.")


def _proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """ "X-Forwarded-Proto: https" -> ("HTTP_X_FORWARDED_PROTO", "https"), as Django wants it."""
    if not value.strip():
        return None
    header, sep, expected = value.partition(":")
    if not sep or not header.strip() or not expected.strip():
        raise RuntimeError(
            f"DJANGO_SECURE_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https', "
            f"not {value!r}."
        )
    return "HTTP_" + header.strip().upper().replace("-", "_"), expected.strip()


DEBUG = False
SECRET_KEY = _required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
DATABASES = {"default": dj_database_url.parse(_required("DATABASE_URL"), conn_max_age=60)}

# HTTPS only, unless the environment says otherwise (a first try on plain HTTP: set
# DJANGO_SECURE_SSL_REDIRECT=0, DJANGO_SECURE_COOKIES=0 and DJANGO_SECURE_HSTS_SECONDS=0).
SECURE_SSL_REDIRECT = _flag("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS") or 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _flag("DJANGO_SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _flag("DJANGO_SECURE_COOKIES", True)
# Trusted only when set: without a proxy that overwrites the header, any client could claim
# to be on HTTPS.
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", ""))
# Load balancers probe health over plain HTTP and count a redirect as a failure.
SECURE_REDIRECT_EXEMPT = [
    r.strip() for r in os.environ.get("DJANGO_SECURE_REDIRECT_EXEMPT", "^health/").split(",") if r
]

# JSON log lines (base.py's LOGGING; DJANGO_LOG_FORMAT=text for plain ones).
LOGGING["handlers"]["console"]["formatter"] = os.environ.get("DJANGO_LOG_FORMAT", "json")

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
    if os.environ.get("AWS_S3_CUSTOM_DOMAIN"):
        STORAGES["default"]["OPTIONS"]["custom_domain"] = os.environ["AWS_S3_CUSTOM_DOMAIN"]

if os.environ.get("REDIS_URL"):
    Q_CLUSTER = {
        **{k: v for k, v in Q_CLUSTER.items() if k != "orm"},
        "redis": os.environ["REDIS_URL"],
        "workers": int(os.environ.get("Q_WORKERS", 2)),
    }

# The cache every server process shares: the API's throttles count there (a per-process
# cache would let each process allow the full rate; photodesk.W085 warns).
if _cache_url := os.environ.get("DJANGO_CACHE_URL") or os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": "photodesk",
        }
    }

# HSTS preload commits the whole registrable domain (every subdomain, for months, through the
# browsers' built-in list): a choice for the domain's owner (DJANGO_SECURE_HSTS_PRELOAD=1),
# not a default of this site, so its reminder (security.W021) is not shown.
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

PHOTODESK = {
    **PHOTODESK,
    "MODEL_DIR": os.environ.get("PHOTODESK_MODEL_DIR", PHOTODESK["MODEL_DIR"]),
}
# Who may read /metrics besides loopback and staff: Prometheus with this bearer token.
if os.environ.get("PHOTODESK_METRICS_TOKEN"):
    PHOTODESK["METRICS_TOKEN"] = os.environ["PHOTODESK_METRICS_TOKEN"]
if os.environ.get("OPENSEARCH_URL"):
    PHOTODESK["INDEX_BACKEND"] = "photodesk.search.index.opensearch.OpenSearchIndex"
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

# AWS providers: Rekognition in place of the local analyzers named, Bedrock for text vectors.
REKOGNITION_ANALYZERS = {
    "labels": "photodesk.analysis.analyzers.aws.RekognitionLabelAnalyzer",
    "faces": "photodesk.analysis.analyzers.aws.RekognitionFaceAnalyzer",
    "text": "photodesk.analysis.analyzers.aws.RekognitionTextAnalyzer",
    "safety": "photodesk.analysis.analyzers.aws.RekognitionModerationAnalyzer",
}
if os.environ.get("PHOTODESK_AWS_REGION"):
    PHOTODESK["AWS_REGION"] = os.environ["PHOTODESK_AWS_REGION"]
if os.environ.get("PHOTODESK_REKOGNITION"):
    from photodesk.conf import DEFAULTS as _PHOTODESK_DEFAULTS

    _replace = {k.strip() for k in os.environ["PHOTODESK_REKOGNITION"].split(",") if k.strip()}
    if unknown := _replace - set(REKOGNITION_ANALYZERS):
        raise RuntimeError(f"PHOTODESK_REKOGNITION: unknown analyzer(s) {sorted(unknown)}")
    PHOTODESK["ANALYZERS"] = [
        REKOGNITION_ANALYZERS[key] if key in _replace else path
        for path in PHOTODESK.get("ANALYZERS", _PHOTODESK_DEFAULTS["ANALYZERS"])
        for key in [path.rsplit(".", 2)[-2]]  # photodesk.analysis.analyzers.<key>.<Class>
    ]
if os.environ.get("PHOTODESK_TEXT_EMBEDDER") == "bedrock":
    PHOTODESK["TEXT_EMBEDDER"] = "photodesk.aws.bedrock.titan_text_embedder"
    if os.environ.get("PHOTODESK_BEDROCK_DIMENSION"):
        PHOTODESK["AWS_BEDROCK_DIMENSION"] = int(os.environ["PHOTODESK_BEDROCK_DIMENSION"])
