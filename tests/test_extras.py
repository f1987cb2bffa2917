"""A site installs only the extras it uses: without one the app still imports and starts, the
defaults leave out what it would need, and `check` names the pip command for what is missing.
(scripts/try_install.sh does the same with a real core-only install of the wheel.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import ERROR, INFO

from photodesk.checks import check_extras
from photodesk.search.by_face import FaceRecognitionOff, search_by_face

ROOT = Path(__file__).resolve().parent.parent

# The top-level modules of every extra: made unimportable, as on a core-only install.
OPTIONAL = [
    "boto3",
    "botocore",
    "storages",
    "opensearchpy",
    "dlib",
    "face_recognition_models",
    "ai_edge_litert",
    "rapidocr",
    "wagtail",
    "reportlab",
    "openpyxl",
    "av",
    "openvino",
]

CORE_ONLY = f"""
import importlib, json, os, pkgutil, sys
for name in {OPTIONAL!r}:
    sys.modules[name] = None
os.environ["DJANGO_SETTINGS_MODULE"] = "settings.test"
import django
django.setup()
import photodesk
from django.core.checks import run_checks
from photodesk.conf import photodesk_settings
from photodesk.extras import extra_for
failed = []
for module in pkgutil.walk_packages(photodesk.__path__, "photodesk."):
    if extra_for(module.name + ".") is None:
        try:
            importlib.import_module(module.name)
        except ImportError as exc:
            failed.append(f"{{module.name}}: {{exc}}")
print(json.dumps({{
    "failed": failed,
    "analyzers": photodesk_settings.ANALYZERS,
    "checks": [[m.id, m.level, m.msg, m.hint] for m in run_checks()
               if m.id and m.id.startswith("photodesk.")],
}}))
"""


def test_the_app_imports_and_checks_clean_without_any_extra() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CORE_ONLY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["failed"] == []
    assert [path.rsplit(".", 1)[-1] for path in report["analyzers"]] == [
        "MetadataAnalyzer",
        "LabelAnalyzer",
        "SafetyAnalyzer",
    ]
    checks = {check[0]: check for check in report["checks"]}
    # The demo site names a video model: the one error, and it says what to install.
    errors = [(c[0], c[3]) for c in report["checks"] if c[1] >= ERROR]
    assert errors == [("photodesk.E040", 'pip install "photodesk[video]"')]
    _, level, msg, hint = checks["photodesk.I040"]
    assert level == INFO
    assert "FaceAnalyzer, TextAnalyzer" in msg
    assert hint == 'To run them: pip install "photodesk[faces]"; pip install "photodesk[ocr]".'


@pytest.fixture
def without_extras(monkeypatch):
    for name in OPTIONAL:
        monkeypatch.setitem(sys.modules, name, None)


def test_a_setting_that_needs_a_missing_extra_says_which_to_install(
    settings, without_extras
) -> None:
    settings.PHOTODESK = {
        **settings.PHOTODESK,
        "ANALYZERS": [
            "photodesk.analysis.analyzers.labels.LabelAnalyzer",
            "photodesk.analysis.analyzers.faces.FaceAnalyzer",
            "photodesk.analysis.analyzers.aws.RekognitionLabelAnalyzer",
        ],
        "INDEX_BACKEND": "photodesk.search.index.opensearch.OpenSearchIndex",
        "OPENSEARCH_URL": "http://127.0.0.1:9",
        "VIDEO_MODEL": "cms_images.Video",
        "INFERENCE_ENGINE": "openvino",
    }
    errors = {(m.id, m.hint): m.msg for m in check_extras(None)}
    assert set(errors) == {
        ("photodesk.E040", 'pip install "photodesk[faces]"'),
        ("photodesk.E040", 'pip install "photodesk[aws]"'),
        ("photodesk.E040", 'pip install "photodesk[opensearch]"'),
        ("photodesk.E040", 'pip install "photodesk[video]"'),
        ("photodesk.E040", 'pip install "photodesk[openvino]"'),
    }
    assert "INFERENCE_ENGINE" in errors["photodesk.E040", 'pip install "photodesk[openvino]"']
    assert "VIDEO_MODEL" in errors["photodesk.E040", 'pip install "photodesk[video]"']
    faces = errors["photodesk.E040", 'pip install "photodesk[faces]"']
    assert "FaceAnalyzer" in faces and "dlib, face_recognition_models, ai_edge_litert" in faces
    # The index backend and the URL both need opensearch-py: one message each.
    assert len(check_extras(None)) == 6


def test_with_every_extra_installed_there_is_nothing_to_say(settings) -> None:
    settings.PHOTODESK = {
        key: value for key, value in settings.PHOTODESK.items() if key != "ANALYZERS"
    }
    assert check_extras(None) == []


def test_face_search_without_the_faces_extra_says_how_to_get_it(without_extras) -> None:
    # The API answers this with 503 and the message (api/errors.py).
    with pytest.raises(FaceRecognitionOff, match=r'pip install "photodesk\[faces\]"'):
        search_by_face(b"not even read")
