"""What a site gets when it adopts Photodesk: no default that names the demo site, system
checks that say what is missing and how to fix it, a save that never fails because the task
queue does, and roles that never touch the site's own groups."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from photodesk.conf import DEFAULTS
from photodesk.models import ImageAnalysis

from .api_support import *  # noqa: F403
from .helpers import jpeg_bytes, make_image

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def ids(messages) -> set[str]:
    return {m.id for m in messages}


def photodesk_messages() -> list:
    return [m for m in run_checks() if (m.id or "").startswith("photodesk.")]


def without(settings, *keys: str) -> None:
    settings.PHOTODESK = {k: v for k, v in settings.PHOTODESK.items() if k not in keys}


# --- defaults -------------------------------------------------------------------------------


def test_no_default_names_the_demo_site():
    assert not [key for key, value in DEFAULTS.items() if "cms_images" in repr(value)]
    assert DEFAULTS["IMAGE_MODEL"] is None
    assert DEFAULTS["ARTICLE_MODEL"] is None and DEFAULTS["SUGGEST_USAGE_FUNCTION"] is None


def test_the_demo_settings_pass_every_check():
    assert photodesk_messages() == []


def test_a_missing_image_model_is_an_error_with_the_fix(settings):
    from photodesk.host import get_image_model

    without(settings, "IMAGE_MODEL")
    errors = [m for m in photodesk_messages() if m.id == "photodesk.E002"]
    assert len(errors) == 1 and "IMAGE_MODEL" in errors[0].msg
    assert 'PHOTODESK_IMAGE_MODEL = PHOTODESK["IMAGE_MODEL"]' in errors[0].hint
    with pytest.raises(ImproperlyConfigured, match="PHOTODESK_IMAGE_MODEL"):
        get_image_model()


def test_an_image_model_that_is_no_model_or_has_no_file_field_is_an_error(settings):
    settings.PHOTODESK = {**settings.PHOTODESK, "IMAGE_MODEL": "cms_images.Photo"}
    settings.PHOTODESK_IMAGE_MODEL = "cms_images.Photo"
    assert "photodesk.E002" in ids(photodesk_messages())
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "IMAGE_MODEL": "cms_images.Image",
        "IMAGE_FILE_FIELD": "picture",
    }
    settings.PHOTODESK_IMAGE_MODEL = "cms_images.Image"
    (error,) = [m for m in photodesk_messages() if m.id == "photodesk.E003"]
    assert "'picture'" in error.msg and "IMAGE_FILE_FIELD" in error.hint


def test_without_an_article_model_stored_article_suggestions_say_how_to_enable_them(settings, api):
    from cms_images.models import Article

    article = Article.objects.create(title="Cats", body="A cat sleeps.")
    without(settings, "ARTICLE_MODEL")
    (info,) = [m for m in photodesk_messages() if m.id == "photodesk.I001"]
    assert "ARTICLE_MODEL" in info.hint

    with pytest.raises(CommandError, match=r"PHOTODESK\['ARTICLE_MODEL'\]"):
        call_command("suggest", article=article.pk)
    url = reverse("photodesk-api:article-suggestions", args=[article.pk])
    response = api("journalist").get(url)
    assert response.status_code == 404
    assert "ARTICLE_MODEL" in response.json()["detail"]
    assert api("anonymous").get(url).status_code == 401


def test_the_old_article_model_key_still_works(settings):
    from cms_images.models import Article
    from photodesk.host import get_article_model

    without(settings, "ARTICLE_MODEL")
    settings.PHOTODESK = {**settings.PHOTODESK, "API_ARTICLE_MODEL": "cms_images.Article"}
    assert get_article_model() is Article
    assert photodesk_messages() == []
    settings.PHOTODESK = {**settings.PHOTODESK, "API_ARTICLE_MODEL": "cms_images.Story"}
    assert "photodesk.E006" in ids(photodesk_messages())


def test_without_a_usage_function_usage_is_unknown(settings):
    from photodesk.host import last_used

    image = make_image(jpeg_bytes())
    without(settings, "SUGGEST_USAGE_FUNCTION")
    assert last_used([image.pk]) == {}


# --- dotted paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("INDEX_BACKEND", "photodesk.search.index.nowhere.Index"),
        ("ENTITY_FUNCTION", "photodesk.search.text.entities.no_such_function"),
        ("SUGGEST_USAGE_FUNCTION", "cms_images.usage.lastused"),
        ("ANALYZERS", ["photodesk.analysis.analyzers.labels.LabelAnalyzer", "nowhere.Analyzer"]),
        ("TEXT_EMBEDDER", "photodesk.inference.text_embedding.Embedder"),
    ],
)
def test_a_dotted_path_that_cannot_be_imported_is_an_error(settings, key, value):
    settings.PHOTODESK = {**settings.PHOTODESK, key: value}
    errors = [m for m in photodesk_messages() if m.id == "photodesk.E060"]
    assert len(errors) == 1
    assert key in errors[0].msg and "cannot be imported" in errors[0].msg


# --- the task queue -------------------------------------------------------------------------


def test_a_queue_that_cannot_work_is_an_error_with_a_working_q_cluster(settings):
    # A broker whose client package this venv has not (pymongo is in no extra).
    settings.Q_CLUSTER = {"name": "site", "mongo": {"host": "127.0.0.1", "port": 27017}}
    (error,) = [m for m in photodesk_messages() if m.id == "photodesk.E052"]
    assert "'pymongo' package is not installed" in error.msg
    assert '"orm": "default"' in error.hint

    settings.Q_CLUSTER = {"name": "site", "orm": "queue"}
    (error,) = [m for m in photodesk_messages() if m.id == "photodesk.E052"]
    assert "'queue' is not a database" in error.msg

    del settings.Q_CLUSTER
    (error,) = [m for m in photodesk_messages() if m.id == "photodesk.E051"]
    assert "Q_CLUSTER =" in error.hint

    settings.PHOTODESK = {**settings.PHOTODESK, "ANALYZE_SYNC": True}  # no queue needed
    assert photodesk_messages() == []


@pytest.fixture
def broken_broker(monkeypatch, request):
    """django-q2 configured for a broker that cannot queue: Redis without its client package
    (or, with it, a port nothing listens on), or the ORM broker on a database that does not
    exist. django_q reads Q_CLUSTER once, into Conf, when it is first imported."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "ORM", None)
    if request.param == "redis":
        monkeypatch.setattr(Conf, "REDIS", {"host": "127.0.0.1", "port": 1})
    else:
        monkeypatch.setattr(Conf, "ORM", "no-such-database")
    return request.param


@pytest.mark.parametrize("broken_broker", ["redis", "orm"], indirect=True)
def test_a_save_succeeds_when_the_queue_fails_and_the_analysis_stays_pending(
    broken_broker, django_capture_on_commit_callbacks, caplog, monkeypatch
):
    from django_q.conf import Conf
    from django_q.models import OrmQ

    from cms_images.models import Image

    with caplog.at_level(logging.ERROR, logger="photodesk"):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            image = make_image(jpeg_bytes(), name="queued-nowhere.jpg")
        for callback in callbacks:  # as the commit runs them, without Django's robust mode
            callback()
    assert Image.objects.filter(pk=image.pk).exists()
    assert ImageAnalysis.objects.get(image=image).status == ImageAnalysis.Status.PENDING
    said = [r.getMessage() for r in caplog.records]
    assert any(f"image {image.pk} was not queued" in text for text in said), said
    assert OrmQ.objects.count() == 0

    # The broker works again: the backfill queues what was left pending.
    monkeypatch.setattr(Conf, "ORM", "default")
    call_command("analyze", no_progress=True, stdout=io.StringIO())
    assert image.pk in [task.task["args"][0] for task in OrmQ.objects.all()]


# --- roles ----------------------------------------------------------------------------------


def test_migrations_create_no_groups():
    assert not Group.objects.filter(name__in=["journalist", "reviewer", "admin"]).exists()


def test_the_roles_command_creates_prefixed_groups_once():
    from photodesk.roles import ROLE_NAMES

    out = io.StringIO()
    call_command("photodesk_roles", stdout=out)
    assert out.getvalue().count("created") == 3
    groups = {g.name: g for g in Group.objects.filter(name__in=ROLE_NAMES.values())}
    assert sorted(groups) == ["Photodesk admins", "Photodesk journalists", "Photodesk reviewers"]
    journalist = {p.codename for p in groups["Photodesk journalists"].permissions.all()}
    assert {"view_image", "add_image", "view_article", "view_imageanalysis"} <= journalist
    assert "change_image" not in journalist

    again = io.StringIO()
    call_command("photodesk_roles", stdout=again)
    assert again.getvalue().count("already up to date") == 3


def test_the_roles_command_never_touches_a_group_it_did_not_create():
    editors = Group.objects.create(name="Photodesk reviewers")
    editors.permissions.add(Permission.objects.get(codename="delete_image"))
    with pytest.raises(CommandError, match="Photodesk did not create it"):
        call_command("photodesk_roles", stdout=io.StringIO())
    assert [p.codename for p in editors.permissions.all()] == ["delete_image"]
    assert Group.objects.count() == 1  # nothing else created either


def test_force_resets_only_photodesk_s_own_groups():
    call_command("photodesk_roles", stdout=io.StringIO())
    journalists = Group.objects.get(name="Photodesk journalists")
    journalists.permissions.add(Permission.objects.get(codename="delete_image"))
    site_group = Group.objects.create(name="journalist")
    site_group.permissions.add(Permission.objects.get(codename="delete_image"))

    out = io.StringIO()
    call_command("photodesk_roles", stdout=out)
    assert "left as it is (--force updates it)" in out.getvalue()
    assert journalists.permissions.filter(codename="delete_image").exists()

    call_command("photodesk_roles", force=True, stdout=(out := io.StringIO()))
    assert "Photodesk journalists: permissions updated" in out.getvalue()
    assert not journalists.permissions.filter(codename="delete_image").exists()
    assert site_group.permissions.filter(codename="delete_image").exists()


# --- a host site ----------------------------------------------------------------------------


def host_site(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run `code` in a fresh process on tests/host_site_settings.py."""
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.host_site_settings",
            "PHOTODESK_TEST_TMP": "",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_host_site_gets_no_w042_and_no_migration_for_photodesk():
    done = host_site(
        "from django.core.checks import run_checks\n"
        "from django.core.management import call_command\n"
        "print(sorted({str(m.obj) for m in run_checks() if m.id == 'models.W042'}))\n"
        "call_command('makemigrations', 'semantic_search', check=True, dry_run=True)\n"
    )
    assert done.returncode == 0, done.stderr + done.stdout
    flagged = done.stdout.splitlines()[0]
    assert "semantic_search" not in flagged, flagged
    assert "No changes detected" in done.stdout


def test_a_host_site_without_the_task_queue_is_told_how_to_add_it():
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.host_site_settings",
            "HOST_SITE": "bare",
            "PHOTODESK_TEST_TMP": "",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "(photodesk.E050) django_q" in done.stderr
    assert '"orm": "default"' in done.stderr
    assert "(photodesk.I001)" in done.stderr
