"""Production settings that `manage.py check --deploy` accepts: HTTPS settings from the
environment with secure defaults, and Photodesk's own deployment checks (a cache every process
shares for the throttles, ALLOWED_HOSTS, the schema not public)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "settings.production",
    "DJANGO_SECRET_KEY": "a-production-secret-key-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "photos.example.org",
}
SHOWN = (
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REDIRECT_EXEMPT",
)


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "REDIS_URL", "OPENSEARCH_", "AWS_", "PHOTODESK_"))
    }
    return {
        **env,
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        **extra,
    }


def check_deploy(tmp_path: Path, **extra: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout + result.stderr


def production_settings(tmp_path: Path, **extra: str) -> dict:
    code = (
        "import json, settings.production as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {SHOWN!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_pass_check_deploy_with_a_shared_cache(tmp_path):
    output = check_deploy(tmp_path, REDIS_URL="redis://127.0.0.1:6399/0")
    assert "System check identified no issues" in output, output


def test_without_a_shared_cache_check_deploy_says_the_throttles_are_per_process(tmp_path):
    output = check_deploy(tmp_path)
    for fixed in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert fixed not in output
    assert "photodesk.W085" in output and "1 issue" in output, output


def test_https_settings_are_secure_by_default_and_read_from_the_environment(tmp_path):
    assert production_settings(tmp_path) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
        "SECURE_REDIRECT_EXEMPT": ["^health/"],
    }
    changed = production_settings(
        tmp_path,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_HSTS_SECONDS="3600",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https",
    )
    assert changed["SECURE_SSL_REDIRECT"] is False and changed["SECURE_HSTS_SECONDS"] == 3600
    assert changed["SESSION_COOKIE_SECURE"] is False and changed["CSRF_COOKIE_SECURE"] is False
    assert changed["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_malformed_https_variable_stops_the_start_with_its_name(tmp_path):
    output = check_deploy(tmp_path, DJANGO_SECURE_PROXY_SSL_HEADER="https")
    assert "DJANGO_SECURE_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https'" in output
    output = check_deploy(tmp_path, DJANGO_SECURE_COOKIES="maybe")
    assert "DJANGO_SECURE_COOKIES must be 1 or 0" in output


# --- Photodesk's deployment checks, in process ----------------------------------------------

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6399/0",
    }
}


def deploy_ids() -> set[str]:
    messages = run_checks(include_deployment_checks=True, tags=["security"])
    return {m.id for m in messages if m.id.startswith("photodesk.")}


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["photos.example.org"]
    settings.CACHES = REDIS
    settings.PHOTODESK = {**settings.PHOTODESK, "API_SCHEMA_ACCESS": None}
    return settings


@pytest.mark.parametrize(
    ("caches", "expected"),
    [(LOCMEM, {"photodesk.W085"}), (DUMMY, {"photodesk.W086"}), (REDIS, set())],
)
def test_throttles_need_a_cache_every_process_shares(production_like, caches, expected):
    production_like.CACHES = caches
    assert deploy_ids() == expected
    production_like.DEBUG = True  # a developer's machine: one process, nothing to say
    assert deploy_ids() == set()


@pytest.mark.parametrize("hosts", [[], ["*"], ["photos.example.org", "*"]])
def test_allowed_hosts_must_name_the_sites_hosts(production_like, hosts):
    production_like.ALLOWED_HOSTS = hosts
    assert deploy_ids() == {"photodesk.W087"}


def test_a_public_schema_without_debug_is_a_warning(production_like):
    production_like.PHOTODESK = {**production_like.PHOTODESK, "API_SCHEMA_ACCESS": "public"}
    assert deploy_ids() == {"photodesk.W088"}


def test_the_deployment_checks_run_only_with_deploy(production_like):
    production_like.CACHES = LOCMEM
    production_like.ALLOWED_HOSTS = ["*"]
    assert not [m for m in run_checks() if m.id in {"photodesk.W085", "photodesk.W087"}]


@pytest.mark.django_db
def test_an_unknown_schema_access_is_a_warning_and_closes_the_schema(settings):
    from django.test import Client

    settings.PHOTODESK = {**settings.PHOTODESK, "API_SCHEMA_ACCESS": "private"}
    settings.DEBUG = True
    assert "photodesk.W089" in {m.id for m in run_checks()}
    assert Client().get("/api/schema/?format=json").status_code == 404
