"""Filling a model directory: download (resumable) or copy each file, verify, then place it.

Nothing half-written is ever at a model file's path: a file is written to `<path>.part`, its
size and SHA-256 are checked against the manifest, and only then is it renamed into place (one
atomic rename in the same folder). An interrupted download keeps its `.part`, and the next run
asks the server for the rest (HTTP Range). Archives (wheels) a file is taken from are kept in
`MODEL_DIR/.downloads` while they are needed and removed once complete.
"""

from __future__ import annotations

import ast
import http.client
import os
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from tqdm import tqdm

from photodesk.inference.manifest import (
    CHUNK,
    ModelFile,
    Source,
    Status,
    file_status,
    sha256_file,
)

DOWNLOADS = ".downloads"
USER_AGENT = "photodesk-models/1"


class FetchError(RuntimeError):
    """One file could not be fetched; the message says why (and nothing was placed)."""


@dataclass(frozen=True)
class Outcome:
    path: str
    # "present" (already right), "fetched", "replaced" (was wrong: `before` says how), "failed"
    action: str
    detail: str = ""
    before: Status = Status.OK

    @property
    def failed(self) -> bool:
        return self.action == "failed"


def fetch_files(
    entries: Iterable[ModelFile],
    model_dir: Path,
    *,
    source_dir: Path | None = None,
    mirror: str | None = None,
    progress: bool | None = None,
    timeout: float = 60.0,
) -> list[Outcome]:
    """Make every entry present and correct in `model_dir`: from `source_dir` (a folder laid
    out like MODEL_DIR: offline), from `mirror` (a URL prefix laid out like MODEL_DIR), or
    from the manifest's sources. Files already right are left alone. `progress`: tqdm bars
    (None: only on a terminal). One Outcome per entry; a failure does not stop the others."""
    model_dir = Path(model_dir)
    fetcher = _Fetcher(model_dir, progress, timeout)
    outcomes = []
    for entry in entries:
        before = file_status(model_dir, entry)
        if before is Status.OK:
            outcomes.append(Outcome(entry.path, "present"))
            continue
        try:
            if source_dir is not None:
                where = fetcher.copy(entry, Path(source_dir))
            elif mirror:
                where = fetcher.download_plain(entry, mirror.rstrip("/") + "/" + entry.path)
            else:
                where = fetcher.download(entry)
        except FetchError as exc:
            outcomes.append(Outcome(entry.path, "failed", str(exc), before))
            continue
        action = "fetched" if before is Status.MISSING else "replaced"
        outcomes.append(Outcome(entry.path, action, where, before))
    fetcher.clean_downloads()
    return outcomes


class _Fetcher:
    def __init__(self, model_dir: Path, progress: bool | None, timeout: float) -> None:
        self.model_dir = model_dir
        self.downloads = model_dir / DOWNLOADS
        self.disable_bars = None if progress is None else not progress
        self.timeout = timeout

    # --- the three ways in -------------------------------------------------------------------

    def copy(self, entry: ModelFile, source_dir: Path) -> str:
        source = source_dir / entry.path
        if not source.is_file():
            raise FetchError(f"not in {source_dir} (looked for {source})")
        part = self._part(entry)
        with open(source, "rb") as src, open(part, "wb") as dst, self._bar(entry.path) as bar:
            bar.reset(total=source.stat().st_size)
            while chunk := src.read(CHUNK):
                dst.write(chunk)
                bar.update(len(chunk))
        self._install(part, entry, f"copied from {source}")
        return f"from {source}"

    def download_plain(self, entry: ModelFile, url: str) -> str:
        part = self._part(entry)
        self._download(url, part, entry.size, entry.path)
        self._install(part, entry, f"downloaded from {url}")
        return f"from {url}"

    def download(self, entry: ModelFile) -> str:
        if not entry.sources:
            raise FetchError(
                "published nowhere: rebuild it on a machine with internet with "
                f"{entry.export or 'its export script'} (in Photodesk's source repository), "
                "then copy it in (fetch --from DIR)"
            )
        errors = []
        for source in entry.sources:
            try:
                if source.member:
                    return self._from_archive(entry, source)
                return self.download_plain(entry, source.url)
            except FetchError as exc:
                errors.append(str(exc))
        raise FetchError("; ".join(errors))

    # --- steps -------------------------------------------------------------------------------

    def _from_archive(self, entry: ModelFile, source: Source) -> str:
        archive = self._archive(source)
        part = self._part(entry)
        try:
            with (
                zipfile.ZipFile(archive) as zf,
                zf.open(source.member) as src,
                open(part, "wb") as dst,
            ):
                if source.python_list:
                    dst.write(_python_list(src.read(), source.python_list))
                else:
                    shutil.copyfileobj(src, dst, CHUNK)
        except KeyError:
            raise FetchError(f"{source.url} has no {source.member}") from None
        except zipfile.BadZipFile as exc:
            archive.unlink(missing_ok=True)
            raise FetchError(f"{source.url} is not a zip archive ({exc})") from None
        self._install(part, entry, f"{source.member} of {source.url}")
        return f"from {source.url} ({source.member})"

    def _archive(self, source: Source) -> Path:
        """The archive at source.url in .downloads, complete and verified (downloaded once per
        run even when several files come from it)."""
        name = Path(urlsplit(source.url).path).name or "archive.zip"
        archive = self.downloads / name
        if archive.is_file() and self._archive_ok(archive, source):
            return archive
        self.downloads.mkdir(parents=True, exist_ok=True)
        part = archive.with_name(name + ".part")
        self._download(source.url, part, source.archive_size or None, name)
        if not self._archive_ok(part, source):
            got = sha256_file(part)
            part.unlink()
            raise FetchError(
                f"{source.url}: checksum {got[:12]}… is not the pinned "
                f"{source.archive_sha256[:12]}… (the download was damaged or the file changed)"
            )
        os.replace(part, archive)
        return archive

    @staticmethod
    def _archive_ok(path: Path, source: Source) -> bool:
        if source.archive_size and path.stat().st_size != source.archive_size:
            return False
        return not source.archive_sha256 or sha256_file(path) == source.archive_sha256

    def _download(self, url: str, part: Path, size: int | None, label: str) -> None:
        """`url` into `part`, resuming what a previous run left there (HTTP Range)."""
        offset = part.stat().st_size if part.is_file() else 0
        if size is not None and offset > size:
            part.unlink()
            offset = 0
        if size is not None and offset == size:
            return  # complete already; the checksum decides
        headers = {"User-Agent": USER_AGENT}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            response = urlopen(Request(url, headers=headers), timeout=self.timeout)
        except HTTPError as exc:
            if exc.code == 416 and offset:  # nothing left to send: the part is complete
                return
            raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
        except (URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"{url}: {reason}") from None
        with response:
            resumed = offset and response.status == 206 and _range_start(response) == offset
            if not resumed:
                offset = 0  # the server sends the whole file: start over
            length = response.headers.get("Content-Length")
            total = offset + int(length) if length else size
            written = offset
            try:
                with open(part, "ab" if resumed else "wb") as fh, self._bar(label) as bar:
                    bar.reset(total=total)
                    bar.update(offset)
                    while chunk := response.read(CHUNK):
                        fh.write(chunk)
                        written += len(chunk)
                        bar.update(len(chunk))
            except (http.client.HTTPException, OSError) as exc:
                raise _interrupted(url, written, type(exc).__name__) from None
            # http.client ends a body cut short by a dropped connection without an error.
            if total is not None and written < total:
                raise _interrupted(url, written, "connection closed early")

    def _install(self, part: Path, entry: ModelFile, origin: str) -> None:
        """Move `part` to the file's path if its size and SHA-256 are the manifest's; else
        remove it and say so."""
        size = part.stat().st_size
        if size != entry.size:
            part.unlink()
            raise FetchError(f"{origin}: {size} bytes, expected {entry.size}")
        got = sha256_file(part)
        if got != entry.sha256:
            part.unlink()
            raise FetchError(
                f"{origin}: checksum {got[:12]}… is not the pinned {entry.sha256[:12]}…"
            )
        os.replace(part, self.model_dir / entry.path)

    def _part(self, entry: ModelFile) -> Path:
        target = self.model_dir / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.with_name(target.name + ".part")

    def _bar(self, label: str) -> tqdm:
        return tqdm(
            desc=label,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            disable=self.disable_bars,
            leave=False,
        )

    def clean_downloads(self) -> None:
        """Remove complete archives (interrupted `.part` files stay, to be resumed)."""
        if not self.downloads.is_dir():
            return
        for path in self.downloads.iterdir():
            if path.suffix != ".part":
                path.unlink()
        if not any(self.downloads.iterdir()):
            self.downloads.rmdir()


def _python_list(code: bytes, name: str) -> bytes:
    """The list of strings assigned to `name` in Python source, one a line."""
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            try:
                items = ast.literal_eval(node.value)
            except ValueError:
                break
            return "".join(f"{item}\n" for item in items).encode()
    raise FetchError(f"no list {name} in the archive's source file")


def _interrupted(url: str, written: int, why: str) -> FetchError:
    return FetchError(
        f"{url}: interrupted after {written} bytes ({why}); run fetch again to resume"
    )


def _range_start(response) -> int | None:
    """The first byte of a 206 answer ("Content-Range: bytes 100-199/200" → 100)."""
    value = response.headers.get("Content-Range", "")
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None
