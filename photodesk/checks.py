"""Every system check of Photodesk (`manage.py check`; the index check with --deploy).

Settings (photodesk.E001-E006, W002, I001), the task queue (E050-E052; W090-W091, its retry
and prefetch windows), dotted paths (E060),
the model files (W030-W031: warnings, so that `migrate` runs before the files are fetched), the
AWS providers (E020-E022, W021), the OpenSearch index (W010-W013, deploy only), the optional
extras (E040, I040) and, with --deploy and DEBUG off, the throttles' cache (W085-W086),
ALLOWED_HOSTS (W087) and a public API schema (W088); an unknown schema access (W089);
metrics (E080); a joint image–text model (E070-E071, W070); smart crops' ratios and saliency
(E100-E102); series (E110-E112, and W110 with --deploy: the face mesh that scores eyes); the
text detector's working size (E140) and its gate (W150); the inference engine (E160, and E040
for its extra); the face detector (E170, and E171: BlazeFace's file).
"""

from __future__ import annotations

import importlib.util
import os

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Info, Tags, Warning, register
from django.utils.module_loading import import_string

from photodesk import extras
from photodesk.conf import (
    ALIASES,
    ALL_ANALYZERS,
    DEFAULTS,
    IMAGE_MODEL_FIX,
    PATH_SETTINGS,
    current_path,
    photodesk_settings,
    user_settings,
)
from photodesk.host import host


@register()
def check_settings(app_configs, **kwargs) -> list:
    messages = []
    user = user_settings()
    for key in user:
        if key not in DEFAULTS and key not in ALIASES:
            messages.append(
                Error(
                    f"PHOTODESK has an unknown key {key!r}.",
                    id="photodesk.E001",
                    hint=f"Known keys: {', '.join(sorted(DEFAULTS))}.",
                )
            )
    messages += _image_model_errors()
    messages += _article_model_messages()
    for key in PATH_SETTINGS:
        written = user.get(key)
        for path in written if isinstance(written, list | tuple) else [written]:
            if isinstance(path, str) and current_path(path) != path:
                messages.append(
                    Warning(
                        f"PHOTODESK[{key!r}] names {path!r}, which moved to "
                        f"{current_path(path)!r}.",
                        hint="It still works; update the setting to the new path.",
                        id="photodesk.W002",
                    )
                )
    return messages


MODEL_FILES_FIX = "python manage.py photodesk_models fetch"


@register()
def check_model_files(app_configs, **kwargs) -> list:
    """Every file the configured analyzers and text embedder read is in MODEL_DIR, at its
    size. Checksums are left to `photodesk_models verify`: hashing the ~42 MB of the default
    files takes ~0.1 s from a warm cache (more from a cold disk), too much before every
    manage.py command; the stats take 0.1 ms."""
    # Imported here: the analyzers are not needed until a check runs.
    from photodesk.analysis.model_files import required_model_files
    from photodesk.inference.manifest import BY_PATH, Status, file_status

    model_dir = photodesk_settings.model_dir
    missing, damaged = [], []
    for path in required_model_files():
        entry = BY_PATH.get(path)
        if entry is None:  # a file of a site's own model: only its presence is known
            status = Status.OK if (model_dir / path).is_file() else Status.MISSING
        else:
            status = file_status(model_dir, entry, checksum=False)
        if status is Status.MISSING:
            missing.append(path)
        elif status is not Status.OK:
            damaged.append(path)
    hint = (
        f"Run `{MODEL_FILES_FIX}` (downloads them), or `{MODEL_FILES_FIX} --from DIR` to copy "
        "them from a folder on a machine without internet; or point PHOTODESK['MODEL_DIR'] "
        "at the folder that holds them."
    )
    messages = []
    if missing:
        messages.append(
            Warning(
                f"Model files missing from {model_dir}: {', '.join(missing)}; analyses will "
                "fail until they are there.",
                hint=hint,
                id="photodesk.W030",
            )
        )
    if damaged:
        messages.append(
            Warning(
                f"Model files in {model_dir} have the wrong size (damaged or an unfinished "
                f"copy): {', '.join(damaged)}.",
                hint=hint,
                id="photodesk.W031",
            )
        )
    return messages


def _image_model_errors() -> list:
    name = photodesk_settings.IMAGE_MODEL
    if not name:
        return [
            Error(
                "PHOTODESK['IMAGE_MODEL'] is not set: Photodesk does not know the site's images.",
                hint=IMAGE_MODEL_FIX,
                id="photodesk.E002",
            )
        ]
    messages = []
    try:
        model = apps.get_model(name)
    except (LookupError, ValueError):
        messages.append(
            Error(
                f"PHOTODESK['IMAGE_MODEL'] = {name!r} is not an installed model.",
                hint=IMAGE_MODEL_FIX,
                id="photodesk.E002",
            )
        )
    else:
        field = photodesk_settings.IMAGE_FILE_FIELD
        if field not in {f.name for f in model._meta.get_fields()}:
            messages.append(
                Error(
                    f"{model.__name__} has no field {field!r} (PHOTODESK['IMAGE_FILE_FIELD']).",
                    hint="Set PHOTODESK['IMAGE_FILE_FIELD'] to the name of its FileField or "
                    "ImageField.",
                    id="photodesk.E003",
                )
            )
    if getattr(settings, "PHOTODESK_IMAGE_MODEL", None) != name:
        messages.append(
            Error(
                "PHOTODESK_IMAGE_MODEL must equal PHOTODESK['IMAGE_MODEL'] (migrations use it).",
                hint=f"In settings: PHOTODESK_IMAGE_MODEL = {name!r}.",
                id="photodesk.E004",
            )
        )
    return messages


def _article_model_messages() -> list:
    name = photodesk_settings.ARTICLE_MODEL
    if not name:
        if _host_has_articles():  # a Host subclass that knows them (Wagtail: page types)
            return []
        return [
            Info(
                "Suggestions for stored articles are off (`manage.py suggest --article`, "
                "/api/v1/articles/<id>/suggestions/): PHOTODESK['ARTICLE_MODEL'] is not set.",
                hint='To enable them: PHOTODESK["ARTICLE_MODEL"] = "app_label.Article" (a model '
                "with title and body fields). Suggestions for a text work without it.",
                id="photodesk.I001",
            )
        ]
    try:
        apps.get_model(name)
    except (LookupError, ValueError):
        return [
            Error(
                f"PHOTODESK['ARTICLE_MODEL'] = {name!r} is not an installed model.",
                hint='Name the site\'s article model ("app_label.Article"), or remove the key '
                "to turn suggestions for stored articles off.",
                id="photodesk.E006",
            )
        ]
    return []


def _host_has_articles() -> bool:
    try:
        return host().article_model() is not None
    except Exception:  # a broken HOST setting is check_paths' error
        return False


# --- the task queue (django-q2) --------------------------------------------------------------

Q_CLUSTER_FIX = """Add django_q to INSTALLED_APPS and, for a queue in the site's own database:
Q_CLUSTER = {
    "name": "photodesk",
    "orm": "default",
    "workers": 1,
    "timeout": 120,
    "retry": 180,
    "queue_limit": 2,
    "max_attempts": 3,
    "ack_failures": True,
}
then run `manage.py migrate` and a worker: `manage.py qcluster`."""

# django-q2's brokers (the first key found wins, as in django_q.brokers.get_broker) and the
# package each one needs.
BROKER_PACKAGES = (
    ("iron_mq", "iron_mq"),
    ("sqs", "boto3"),
    ("orm", None),
    ("mongo", "pymongo"),
)


def _broker(conf: dict) -> tuple[str, str | None]:
    """The broker django-q2 will use for `conf` and the package it needs."""
    for key, package in BROKER_PACKAGES:
        if conf.get(key):
            return key, package
    if conf.get("django_redis"):
        return "django_redis", "django_redis"
    return "redis", "redis"


@register()
def check_queue(app_configs, **kwargs) -> list:
    """Analysis runs in django-q2's worker: the app installed, Q_CLUSTER set and its broker
    usable here. Without them a save would queue nothing (images stay pending)."""
    if not apps.is_installed("django_q"):
        return [
            Error(
                "django_q (django-q2, the task queue analysis runs in) is not in INSTALLED_APPS.",
                hint=Q_CLUSTER_FIX,
                id="photodesk.E050",
            )
        ]
    if photodesk_settings.ANALYZE_SYNC:  # everything runs in the saving process
        return []
    conf = getattr(settings, "Q_CLUSTER", None)
    if not isinstance(conf, dict):
        return [
            Error(
                "Q_CLUSTER is not set: django-q2 would queue to a Redis server on localhost.",
                hint=Q_CLUSTER_FIX,
                id="photodesk.E051",
            )
        ]
    if conf.get("broker_class"):
        try:
            import_string(conf["broker_class"])
        except ImportError as exc:
            return [_broker_error(f"Q_CLUSTER['broker_class'] cannot be imported: {exc}")]
        return []
    broker, package = _broker(conf)
    if broker == "orm":
        alias = conf["orm"]
        if alias not in settings.DATABASES:
            return [
                _broker_error(
                    f"Q_CLUSTER['orm'] = {alias!r} is not a database in DATABASES "
                    f"({', '.join(sorted(settings.DATABASES))})."
                )
            ]
        return []
    if package and importlib.util.find_spec(package) is None:
        return [
            _broker_error(
                f"Q_CLUSTER selects the {broker} broker, but the {package!r} package is not "
                f"installed (pip install {package.replace('_', '-')}), so nothing can be queued."
            )
        ]
    return []


def _broker_error(message: str) -> Error:
    return Error(message, hint=Q_CLUSTER_FIX, id="photodesk.E052")


# Tasks a worker pulls ahead, per worker process, beyond which a dead worker hides too many:
# the broker hands them out again only after `retry` seconds.
PREFETCH_PER_WORKER = 4


@register()
def check_queue_windows(app_configs, **kwargs) -> list:
    """The retry window must outlast a task (or a slow task runs twice), and the prefetch stay
    small (what a worker pulled is invisible to the others for `retry` seconds if it dies)."""
    conf = getattr(settings, "Q_CLUSTER", None)
    if photodesk_settings.ANALYZE_SYNC or not isinstance(conf, dict):
        return []
    found = []
    timeout, retry = conf.get("timeout"), conf.get("retry", 60)  # django-q2's default retry
    if timeout and retry <= timeout:
        found.append(
            Warning(
                f"Q_CLUSTER['retry'] ({retry} s) is not longer than its 'timeout' ({timeout} s): "
                "the broker hands a task still running to another worker, which analyses the "
                "image again.",
                hint="Set 'retry' to the timeout plus a margin, e.g. timeout 120 and retry 180.",
                id="photodesk.W090",
            )
        )
    workers = conf.get("workers") or os.cpu_count() or 1
    prefetch = conf.get("queue_limit", workers**2)  # django-q2's default
    if prefetch > PREFETCH_PER_WORKER * workers:
        found.append(
            Warning(
                f"Q_CLUSTER['queue_limit'] ({prefetch}) lets {workers} worker(s) pull "
                f"{prefetch} tasks ahead: if the cluster dies they stay invisible for 'retry' "
                f"({retry} s) and their images show pending that long.",
                hint=f"Set 'queue_limit' to at most {PREFETCH_PER_WORKER} per worker, e.g. "
                f"{2 * workers}.",
                id="photodesk.W091",
            )
        )
    return found


# --- dotted paths --------------------------------------------------------------------------


@register()
def check_paths(app_configs, **kwargs) -> list:
    """Every setting that names code (a class or function) names something importable."""
    messages = []
    for key in (*PATH_SETTINGS, "HOST"):
        if key not in DEFAULTS:
            continue
        value = getattr(photodesk_settings, key)
        for path in value if isinstance(value, list | tuple) else [value]:
            if path is None or extras.missing_extra(path):
                continue  # a missing extra is check_extras' error (E040), with its pip command
            try:
                import_string(path)
            except Exception as exc:  # ImportError, or whatever the module raised on import
                messages.append(
                    Error(
                        f"PHOTODESK[{key!r}] names {path!r}, which cannot be imported: "
                        f"{type(exc).__name__}: {exc}",
                        hint="Correct the dotted path (module.name), or install what the "
                        "module needs.",
                        id="photodesk.E060",
                    )
                )
    return messages


@register("photodesk_index", deploy=True)
def check_opensearch(app_configs, **kwargs) -> list:
    """OPENSEARCH_URL is set: is the node reachable, the index there, its mapping current?
    A network call (3 s timeout at most), so it runs only with `manage.py check --deploy`,
    not before every command."""
    if not photodesk_settings.OPENSEARCH_URL or not extras.installed("opensearch"):
        return []  # without opensearch-py, check_extras says what to install
    from photodesk.search.index.opensearch.health import opensearch_warnings

    return opensearch_warnings()


AWS_PATHS = ("photodesk.analysis.analyzers.aws.", "photodesk.aws.")


def uses_aws() -> bool:
    paths = [*photodesk_settings.ANALYZERS, photodesk_settings.TEXT_EMBEDDER]
    return any(str(path).startswith(AWS_PATHS) for path in paths)


@register()
def check_aws(app_configs, **kwargs) -> list:
    if not uses_aws() or not extras.installed("aws"):
        return []  # without boto3, check_extras says what to install
    import boto3

    messages = []
    session = boto3.session.Session()
    if not (photodesk_settings.AWS_REGION or session.region_name):
        messages.append(
            Error(
                "An AWS provider is selected but no AWS region is set.",
                hint="Set PHOTODESK['AWS_REGION'] (or AWS_REGION / AWS_DEFAULT_REGION).",
                id="photodesk.E020",
            )
        )
    if session.get_credentials() is None:
        messages.append(
            Warning(
                "An AWS provider is selected but boto3 finds no credentials here.",
                hint="Give the worker an IAM role, or set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE.",
                id="photodesk.W021",
            )
        )
    if str(photodesk_settings.TEXT_EMBEDDER).startswith("photodesk.aws."):
        # Only here: boto3 is imported only by sites that use an AWS provider.
        from photodesk.aws.bedrock import titan_text_embedder

        try:
            titan_text_embedder()
        except ValueError as exc:
            messages.append(Error(str(exc), id="photodesk.E022"))
    return messages


@register()
def check_extras(app_configs, **kwargs) -> list:
    """Settings that need an optional extra which is not installed: an error with the pip
    command that adds it. Analyzers the default ANALYZERS left out for that reason: an info."""
    messages = []
    for key in ("ANALYZERS", "INDEX_BACKEND", "TEXT_EMBEDDER", "ENTITY_FUNCTION"):
        value = getattr(photodesk_settings, key)
        for path in value if isinstance(value, list | tuple) else [value]:
            extra = extras.missing_extra(path)
            if extra is not None:
                messages.append(_missing_extra_error(f"PHOTODESK[{key!r}] names {path!r}", extra))
    if photodesk_settings.OPENSEARCH_URL and not extras.installed("opensearch"):
        messages.append(_missing_extra_error("PHOTODESK['OPENSEARCH_URL'] is set", "opensearch"))
    if photodesk_settings.VIDEO_MODEL and not extras.installed("video"):
        messages.append(_missing_extra_error("PHOTODESK['VIDEO_MODEL'] is set", "video"))
    if photodesk_settings.INFERENCE_ENGINE == "openvino" and not extras.installed("openvino"):
        messages.append(
            _missing_extra_error("PHOTODESK['INFERENCE_ENGINE'] is 'openvino'", "openvino")
        )
    if "ANALYZERS" not in user_settings():
        left_off = {path: extras.missing_extra(path) for path in ALL_ANALYZERS}
        left_off = {path: extra for path, extra in left_off.items() if extra}
        if left_off:
            names = ", ".join(path.rsplit(".", 1)[-1] for path in left_off)
            commands = sorted({extras.pip_command(extra) for extra in left_off.values()})
            messages.append(
                Info(
                    f"The default ANALYZERS leave out {names}: their extra is not installed.",
                    hint=f"To run them: {'; '.join(commands)}.",
                    id="photodesk.I040",
                )
            )
    return messages


def _missing_extra_error(what: str, extra: str) -> Error:
    missing = ", ".join(extras.missing_modules(extra))
    return Error(
        f"{what}, which needs the {extra!r} extra: {missing} cannot be imported.",
        hint=extras.pip_command(extra),
        id="photodesk.E040",
    )


# Caches whose counts one process cannot see from another (LocMem) or that keep nothing.
PER_PROCESS_CACHES = ("django.core.cache.backends.locmem.LocMemCache",)
NO_CACHES = ("django.core.cache.backends.dummy.DummyCache",)
THROTTLE_RATES = ("API_UPLOAD_RATE", "API_SEARCH_RATE", "API_LOGIN_RATE")
CACHE_FIX = (
    "Give CACHES['default'] a shared backend: Redis (django.core.cache.backends.redis."
    "RedisCache; the demo's production settings use DJANGO_CACHE_URL or REDIS_URL) or "
    "memcached."
)


@register(Tags.security, deploy=True)
def check_deployment(app_configs, **kwargs) -> list:
    """With DEBUG off: the API's throttles need a cache every server process shares,
    ALLOWED_HOSTS must name the site's hosts, and the schema is not for everyone. Run by
    `manage.py check --deploy`."""
    if settings.DEBUG:
        return []
    messages = []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    throttled = [key for key in THROTTLE_RATES if getattr(photodesk_settings, key)]
    if throttled and backend in PER_PROCESS_CACHES:
        messages.append(
            Warning(
                f"The API's throttles ({', '.join(throttled)}) count in the default cache, "
                f"{backend.rsplit('.', 1)[-1]}, which each server process keeps for itself: "
                "with several processes every one of them allows the full rate.",
                hint=CACHE_FIX,
                id="photodesk.W085",
            )
        )
    elif throttled and backend in NO_CACHES:
        messages.append(
            Warning(
                f"The API's throttles ({', '.join(throttled)}) count in the default cache, "
                "DummyCache, which keeps nothing: no request is ever throttled (password "
                "guessing at the token endpoint included).",
                hint=CACHE_FIX,
                id="photodesk.W086",
            )
        )
    hosts = list(settings.ALLOWED_HOSTS)
    if not hosts or "*" in hosts:
        messages.append(
            Warning(
                "ALLOWED_HOSTS is empty with DEBUG off (every request is refused with 400)."
                if not hosts
                else 'ALLOWED_HOSTS contains "*": any Host header is accepted, so links the '
                "site builds from it (password resets, API URLs) can point elsewhere.",
                hint="List the site's host names, e.g. ALLOWED_HOSTS = ['photos.example.org'] "
                "(the demo's production settings: DJANGO_ALLOWED_HOSTS).",
                id="photodesk.W087",
            )
        )
    if photodesk_settings.API_SCHEMA_ACCESS == "public":
        messages.append(
            Warning(
                "PHOTODESK['API_SCHEMA_ACCESS'] is \"public\" with DEBUG off: anyone can read "
                "the API's schema, every operation and parameter.",
                hint='Leave it unset (staff users only without DEBUG) or set "staff" or "off".',
                id="photodesk.W088",
            )
        )
    return messages


SCHEMA_ACCESS = (None, "public", "staff", "off")


@register()
def check_schema_access(app_configs, **kwargs) -> list:
    access = photodesk_settings.API_SCHEMA_ACCESS
    if access in SCHEMA_ACCESS:
        return []
    return [
        Warning(
            f"PHOTODESK['API_SCHEMA_ACCESS'] is {access!r}, which Photodesk does not know: the "
            "schema and its readers answer 404 to everyone.",
            hint='Use "public", "staff", "off", or leave it unset (public with DEBUG, staff '
            "users only without).",
            id="photodesk.W089",
        )
    ]


@register()
def check_metrics(app_configs, **kwargs) -> list:
    """PROMETHEUS_MULTIPROC_DIR, when set, must be a directory this process can write:
    prometheus-client writes every counter update there, and would fail the request or task
    that makes one."""
    import os

    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory or (os.path.isdir(directory) and os.access(directory, os.W_OK)):
        return []
    return [
        Error(
            f"PROMETHEUS_MULTIPROC_DIR={directory!r} is not a directory this process can write.",
            hint="Create it (empty) before the web and worker processes start, shared by both; "
            "or unset it to keep each process's metrics in memory (README, Operations).",
            id="photodesk.E080",
        )
    ]


# --- a joint image–text model (CLIP_MODEL_DIR) ---------------------------------------------

CLIP_FIX = (
    "Point PHOTODESK['CLIP_MODEL_DIR'] at a folder in Immich's CLIP layout (README, “Bring "
    "your own image–text model”), or remove it to use the text embedder."
)


@register()
def check_clip_folder(app_configs, **kwargs) -> list:
    """CLIP_MODEL_DIR's small files: present, readable, saying what they must (no graph
    is loaded; the graphs' tensors are checked with --deploy)."""
    folder = photodesk_settings.clip_model_dir
    if folder is None:
        return []
    from photodesk.inference.clip import ClipFolderError, read_folder

    try:
        read_folder(folder)
    except ClipFolderError as exc:
        return [Error(f"CLIP_MODEL_DIR: {exc}", hint=CLIP_FIX, id="photodesk.E070")]
    return []


@register("photodesk_models", deploy=True)
def check_clip_graphs(app_configs, **kwargs) -> list:
    """The two ONNX graphs load and their inputs and outputs are the ones the folder's
    configuration implies (loads the model: --deploy only)."""
    if photodesk_settings.clip_model_dir is None:
        return []
    from photodesk.analysis.embedding import joint_model
    from photodesk.inference.clip import ClipFolderError

    try:
        model = joint_model()
    except ClipFolderError:
        return []  # check_clip_folder's error (photodesk.E070)
    try:
        model.ensure_loaded()
    except Exception as exc:  # a wrong tensor (ClipFolderError), or a graph that will not load
        message = str(exc) if isinstance(exc, ClipFolderError) else f"{type(exc).__name__}: {exc}"
        return [Error(f"CLIP_MODEL_DIR: {message}", hint=CLIP_FIX, id="photodesk.E071")]
    return []


@register(Tags.database)
def check_vectors_model(app_configs, databases=None, **kwargs) -> list:
    """Vectors in the database (and so in the index built from it) made by another model than
    the configured one: searches would compare unlike vectors. A database check: it runs with
    `migrate` and `manage.py check --database default`."""
    if not databases:
        return []
    from django.db import DatabaseError

    from photodesk.analysis.embedding import embedding_model_name
    from photodesk.inference.clip import ClipFolderError
    from photodesk.models import ImageAnalysis

    try:
        current = embedding_model_name()
    except ClipFolderError:
        return []  # photodesk.E070 says what is wrong
    try:
        others = list(
            ImageAnalysis.objects.indexable()
            .exclude(embedding_model=current)
            .values_list("embedding_model", flat=True)
            .distinct()[:5]
        )
        count = ImageAnalysis.objects.indexable().exclude(embedding_model=current).count()
    except DatabaseError:
        return []  # not migrated yet
    if not count:
        return []
    return [
        Warning(
            f"{count} image vector(s) were made by another model ({', '.join(others)}) than the "
            f"configured one ({current}); searches compare unlike vectors until they are remade.",
            hint="Run `python manage.py reindex --re-embed` (the image models do not run again; "
            "a joint image–text model embeds the images it has not seen).",
            id="photodesk.W070",
        )
    ]


@register(Tags.database)
def check_insight_rollups(app_configs, databases=None, **kwargs) -> list:
    """An archive with images whose insights rollups were never built (upgraded to them), or
    built in another time zone: the label and ingest charts count live, slowly at scale. A
    database check (with `migrate` and `manage.py check --database default`)."""
    if not databases:
        return []
    from django.db import DatabaseError

    from photodesk.host import get_image_model
    from photodesk.insights import rollup

    try:
        if rollup.ready() or not get_image_model().objects.exists():
            return []
    except DatabaseError:
        return []  # not migrated yet
    return [
        Warning(
            "The insights rollups are not built for this archive (or were built in another "
            "time zone): the dashboard's label and ingest charts count every row instead, "
            "slowly on a large archive.",
            hint="Run `python manage.py rebuild_insights` (once; they are kept after that).",
            id="photodesk.W130",
        )
    ]


@register()
def check_crops(app_configs, **kwargs) -> list:
    """The crop ratios, the panel's preview ratio and the saliency map name are usable."""
    from photodesk.crops.geometry import parse_ratio
    from photodesk.crops.saliency import METHODS

    messages = []
    ratios = photodesk_settings.CROP_RATIOS
    bad = []
    for ratio in ratios if isinstance(ratios, list | tuple) else [ratios]:
        try:
            parse_ratio(ratio)
        except ValueError:
            bad.append(repr(ratio))
    if not isinstance(ratios, list | tuple) or bad or not ratios:
        messages.append(
            Error(
                f"PHOTODESK['CROP_RATIOS'] must be a list of ratios like \"16:9\" "
                f"(found {', '.join(bad) if bad else repr(ratios)}).",
                hint='For example ["16:9", "4:3", "1:1", "4:5", "9:16"].',
                id="photodesk.E100",
            )
        )
    elif photodesk_settings.CROP_PREVIEW_RATIO not in ratios:
        messages.append(
            Error(
                f"PHOTODESK['CROP_PREVIEW_RATIO'] is {photodesk_settings.CROP_PREVIEW_RATIO!r}, "
                "not one of CROP_RATIOS.",
                hint=f"One of {', '.join(ratios)}.",
                id="photodesk.E101",
            )
        )
    saliency = photodesk_settings.CROP_SALIENCY
    if saliency is not None and saliency not in METHODS:
        messages.append(
            Error(
                f"PHOTODESK['CROP_SALIENCY'] is {saliency!r}.",
                hint=f"One of {', '.join(map(repr, METHODS))}, or None (centre crops for "
                "photos without faces or text).",
                id="photodesk.E102",
            )
        )
    return messages


@register()
def check_text_detection(app_configs, **kwargs) -> list:
    """The text detector's working size is a whole number of pixels it can use."""
    from photodesk.inference.ocr import MAX_SIDE, MIN_DETECT_SIDE

    side = photodesk_settings.TEXT_DETECT_SIDE
    if isinstance(side, int) and not isinstance(side, bool) and MIN_DETECT_SIDE <= side <= MAX_SIDE:
        return []
    return [
        Error(
            f"PHOTODESK['TEXT_DETECT_SIDE'] is {side!r}.",
            hint=f"A whole number of pixels from {MIN_DETECT_SIDE} to {MAX_SIDE} (default 736; "
            "smaller is faster and misses small text).",
            id="photodesk.E140",
        )
    ]


@register()
def check_inference_engine(app_configs, **kwargs) -> list:
    """INFERENCE_ENGINE names an engine the image models can run on."""
    from photodesk.inference.base import ENGINES

    engine = photodesk_settings.INFERENCE_ENGINE
    if engine in ENGINES:
        return []
    return [
        Error(
            f"PHOTODESK['INFERENCE_ENGINE'] is {engine!r}.",
            hint=f"One of {', '.join(map(repr, ENGINES))} (default 'onnxruntime').",
            id="photodesk.E160",
        )
    ]


@register()
def check_text_gate(app_configs, **kwargs) -> list:
    """TEXT_GATE names a gate the text reader has (True: "photo"), or None or False."""
    from photodesk.inference.ocr import GATES

    gate = photodesk_settings.TEXT_GATE
    if gate in (None, False, True) or gate in GATES:
        return []
    return [
        Warning(
            f"PHOTODESK['TEXT_GATE'] is {gate!r}; it is read as \"photo\".",
            hint=f'One of {", ".join(map(repr, GATES))} (default "photo"), or None (full '
            "text detection on every photo).",
            id="photodesk.W150",
        )
    ]


SERIES_PARTS = ("sharpness", "exposure", "face_size", "eyes_open", "smile")


@register()
def check_series(app_configs, **kwargs) -> list:
    """The series settings: weights of known parts, thresholds a cosine can take."""
    conf = photodesk_settings
    if not conf.SERIES:
        return []
    errors = []
    weights = conf.SERIES_WEIGHTS
    if (
        not isinstance(weights, dict)
        or set(weights) - set(SERIES_PARTS)
        or not all(isinstance(w, int | float) and w >= 0 for w in weights.values())
        or not any(weights.values())
    ):
        errors.append(
            Error(
                f"SERIES_WEIGHTS must map some of {', '.join(SERIES_PARTS)} to weights >= 0, "
                f"not all zero; got {weights!r}.",
                id="photodesk.E110",
            )
        )
    for key in ("SERIES_SIMILARITY", "SERIES_SIMILARITY_TIMED"):
        value = getattr(conf, key)
        if not isinstance(value, int | float) or not 0 < value <= 1:
            errors.append(
                Error(f"{key} is a cosine between 0 and 1; got {value!r}.", id="photodesk.E111")
            )
    for key in ("SERIES_WINDOW_SECONDS", "SERIES_UNTIMED_CANDIDATES"):
        value = getattr(conf, key)
        if not isinstance(value, int | float) or value < 0:
            errors.append(Error(f"{key} must be >= 0; got {value!r}.", id="photodesk.E112"))
    return errors


@register("photodesk_models", deploy=True)
def check_eyes_model(app_configs, **kwargs) -> list:
    """The face mesh that scores open eyes in series (without it the eyes are not scored)."""
    if not photodesk_settings.SERIES:
        return []
    from photodesk.inference import mediapipe_files

    folder = photodesk_settings.eyes_model_dir
    if mediapipe_files.present(folder, mediapipe_files.FACE_MESH):
        return []
    return [
        Warning(
            f"{folder / mediapipe_files.FACE_MESH.relative} is missing: the best frame of a "
            "series is picked without looking at the eyes.",
            hint=mediapipe_files.fetch_hint(folder),
            id="photodesk.W110",
        )
    ]


@register()
def check_face_detector(app_configs, **kwargs) -> list:
    """FACE_DETECTOR names a detector, and BlazeFace's file is there when it is chosen."""
    from photodesk.inference.faces import DETECTORS

    kind = photodesk_settings.FACE_DETECTOR
    if kind not in DETECTORS:
        return [
            Error(
                f"PHOTODESK['FACE_DETECTOR'] is {kind!r}.",
                hint=f"One of {', '.join(map(repr, DETECTORS))} (default 'hog').",
                id="photodesk.E170",
            )
        ]
    from photodesk.inference import mediapipe_files

    folder = photodesk_settings.eyes_model_dir
    faces_on = any(path.endswith(".FaceAnalyzer") for path in photodesk_settings.ANALYZERS)
    if kind != "blazeface" or not faces_on:
        return []
    if mediapipe_files.present(folder, mediapipe_files.FACE_DETECTION):
        return []
    return [
        Error(
            f"{folder / mediapipe_files.FACE_DETECTION.relative} is missing: FACE_DETECTOR "
            "'blazeface' cannot find faces without it.",
            hint=mediapipe_files.fetch_hint(folder),
            id="photodesk.E171",
        )
    ]
