"""Optional extras: which `pip install "photodesk[EXTRA]"` brings which packages, and which
settings need which extra.

The core install analyses (labels, safety, metadata, the embedding) and searches with the
embedded index. Faces, OCR, OpenSearch, the AWS providers, Wagtail, video, the PDF/XLSX
reports and the archive map are extras; the app
imports their packages only where it uses them, so a site without one still starts, and
checks.py names the extra a setting needs when it is missing.
"""

from __future__ import annotations

from importlib.util import find_spec

# Extra -> the top-level modules it installs (what is looked for, without importing them).
EXTRAS: dict[str, tuple[str, ...]] = {
    "aws": ("boto3",),
    "opensearch": ("opensearchpy",),
    "faces": ("dlib", "face_recognition_models", "ai_edge_litert"),
    "ocr": ("rapidocr",),
    "wagtail": ("wagtail",),
    "reports": ("reportlab", "openpyxl"),
    "insights": ("umap",),
    "video": ("av",),
    "openvino": ("openvino",),
}

# Start of a dotted path a setting may name -> the extra it needs.
NEEDS: dict[str, str] = {
    "photodesk.analysis.analyzers.faces.": "faces",
    "photodesk.analysis.analyzers.text.": "ocr",
    "photodesk.analysis.analyzers.aws.": "aws",
    "photodesk.aws.": "aws",
    "photodesk.search.text.entities_aws.": "aws",
    "photodesk.search.index.opensearch.": "opensearch",
    "photodesk.contrib.wagtail": "wagtail",
    "photodesk.analysis.video.": "video",
}


def installed(extra: str) -> bool:
    """Whether every module of `extra` can be imported here (none is imported)."""
    return not missing_modules(extra)


def missing_modules(extra: str) -> list[str]:
    return [module for module in EXTRAS[extra] if not _importable(module)]


def extra_for(path: str) -> str | None:
    """The extra the dotted path `path` needs, or None if the core install has it."""
    for prefix, extra in NEEDS.items():
        if str(path).startswith(prefix):
            return extra
    return None


def missing_extra(path: str) -> str | None:
    """The extra `path` needs and that is not installed, or None."""
    extra = extra_for(path)
    return extra if extra is not None and not installed(extra) else None


def pip_command(extra: str) -> str:
    return f'pip install "photodesk[{extra}]"'


def _importable(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):
        return False
