"""The fault campaign, repeatable: real services on loopback, each with its own port and data
directory (an OpenSearch node from scripts/opensearch.sh, the web server, a django-q2 worker,
a SQLite database, media and cache under one temporary folder), and the faults an operator
meets: an index outage during ingest (the node hung with SIGSTOP), a worker killed mid-analysis,
a crash between the database commit and the index write, oversized captions and article
bodies, a corpus of bad files, concurrent load (4 uploaders, 2 searchers). Prints one table:
what held, what was lost, the time to recover, the peak memory of the web and worker processes.

Usage: python benchmarks/faults.py [--analyzers fast|all] [--keep]
  fast (default): metadata and faces only (the faults do not depend on the models' quality);
  all: every configured analyzer (slower). --keep: leave the folder (logs, database) behind.
A few minutes; needs Java for OpenSearch (as `make services`). Not part of `make test`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
PHOTOS = ROOT.parent / "shared" / "photos" / "demo"
FAST = [
    "photodesk.analysis.analyzers.metadata.MetadataAnalyzer",
    "photodesk.analysis.analyzers.faces.FaceAnalyzer",
]
HUNG_TIMEOUT = 2.0  # seconds an index request waits for a node that does not answer

SETTINGS = """
from settings.bench import *  # noqa
from settings.bench import PHOTODESK, Q_CLUSTER

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
PHOTODESK = {{
    **PHOTODESK,
    "INDEX_BACKEND": "photodesk.search.index.opensearch.OpenSearchIndex",
    "OPENSEARCH_URL": "{url}",
    "OPENSEARCH_INDEX": "faults-{run}",
    "OPENSEARCH_TIMEOUT": {timeout},
    "OPENSEARCH_MAX_RETRIES": 0,
    "OPENSEARCH_REFRESH": "true",
    "INDEX_RETRY_SECONDS": 3,
    "CACHE_DIR": "{cache}",
    "API_UPLOAD_RATE": "100000/min",
    "API_SEARCH_RATE": "100000/min",
    {analyzers}
}}
Q_CLUSTER = {{**Q_CLUSTER, "workers": 2, "poll": 0.2}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hwm_mb(pid: int) -> float:
    """Peak resident memory of process `pid` (VmHWM) in MB, 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def reset_hwm(pid: int) -> None:
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in found]


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (qcluster: its sentinel, and under that the workers)."""
    found = children(pid)
    return found + [d for child in found for d in descendants(child)]


def wait(probe: Callable[[], object], timeout: float, interval: float = 0.25) -> float | None:
    """Seconds until probe() is truthy, None if it never was within `timeout`."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if probe():
            return time.monotonic() - start
        time.sleep(interval)
    return None


@dataclass
class Row:
    scenario: str
    held: str
    lost: str
    recover: str = "-"
    peak_mb: str = "-"
    notes: list[str] = field(default_factory=list)


class Campaign:
    def __init__(self, work: Path, analyzers: str) -> None:
        self.work = work
        self.run = uuid.uuid4().hex[:8]
        self.os_port, self.web_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.os_port}"
        self.rows: list[Row] = []
        self.procs: dict[str, subprocess.Popen] = {}
        self.analyzers = analyzers
        self.photos = sorted(PHOTOS.glob("*.jpg"))

    # -- services ---------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": f"{self.work}:{ROOT}",
            "DJANGO_SETTINGS_MODULE": "faults_settings",
            "BENCH_DIR": str(self.work / "data"),
        }

    def opensearch(self, command: str) -> None:
        env = {
            **os.environ,
            "OPENSEARCH_PORT": str(self.os_port),
            "OPENSEARCH_RUN_DIR": str(self.work / "opensearch"),
            "OPENSEARCH_JAVA_OPTS": "-Xms256m -Xmx256m",  # small data, beside the shared node
        }
        done = subprocess.run(
            ["bash", "scripts/opensearch.sh", command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode and command == "start":
            raise SystemExit(f"OpenSearch did not start:\n{done.stdout[-2000:]}{done.stderr}")

    def node_pid(self) -> int:
        return int((self.work / "opensearch" / "opensearch.pid").read_text().strip())

    def start(self) -> None:
        analyzers = "" if self.analyzers == "all" else f'"ANALYZERS": {FAST!r},'
        (self.work / "faults_settings.py").write_text(
            SETTINGS.format(
                url=self.url,
                run=self.run,
                timeout=HUNG_TIMEOUT,
                cache=self.work / "cache",
                analyzers=analyzers,
            )
        )
        print(f"OpenSearch on {self.url}, web on :{self.web_port}, in {self.work}", flush=True)
        self.opensearch("start")
        os.environ.update({k: v for k, v in self.env().items() if k not in os.environ})
        sys.path.insert(0, str(self.work))
        import django

        django.setup()
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from rest_framework.authtoken.models import Token

        call_command("migrate", verbosity=0)
        call_command("reindex", no_progress=True, stdout=io.StringIO())
        admin = User.objects.create_superuser("faults", "f@example.com", "pw")
        self.token = Token.objects.create(user=admin).key
        self.spawn("web", ["runserver", f"127.0.0.1:{self.web_port}", "--noreload"])
        self.spawn("worker", ["qcluster"])
        if wait(lambda: self.get("/api/v1/images/")[0] == 200, 60) is None:
            raise SystemExit(f"the web server did not answer:\n{self.log('web')}")
        wait(lambda: len(self.worker_pids()) >= 3, 30)

    def spawn(self, name: str, args: list[str]) -> None:
        log = (self.work / f"{name}.log").open("a")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped whole at the end
        )

    def log(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text()[-3000:]

    def stop(self) -> None:
        for process in self.procs.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(OSError, ValueError):
            os.kill(self.node_pid(), signal.SIGCONT)
        self.opensearch("stop")

    def worker_pids(self) -> list[int]:
        return descendants(self.procs["worker"].pid)

    def reset_peaks(self) -> None:
        for pid in [self.procs["web"].pid, *self.worker_pids()]:
            reset_hwm(pid)

    def peaks(self) -> str:
        web = hwm_mb(self.procs["web"].pid)
        worker = max([hwm_mb(p) for p in self.worker_pids()] or [0])
        return f"web {web:.0f} / worker {worker:.0f}"

    # -- HTTP -------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: bytes | None = None, ctype: str = ""):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.web_port}{path}", data=body, method=method
        )
        request.add_header("Authorization", f"Token {self.token}")
        if ctype:
            request.add_header("Content-Type", ctype)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except OSError as exc:
            return 0, str(exc).encode()

    def get(self, path: str):
        return self.request("GET", path)

    def upload(self, name: str, data: bytes, **fields: str) -> tuple[int, dict]:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        status, content = self.request(
            "POST", "/api/v1/images/", body, f"multipart/form-data; boundary={boundary}"
        )
        try:
            return status, json.loads(content)
        except ValueError:
            return status, {"raw": content[:200].decode(errors="replace")}

    def upload_photo(self, index: int, **fields: str) -> int:
        photo = self.photos[index % len(self.photos)]
        status, payload = self.upload(f"{index}-{photo.name}", photo.read_bytes(), **fields)
        assert status == 202, (status, payload)
        return payload["image"]["id"]

    # -- the database and the index ---------------------------------------------------------
    @staticmethod
    def status_of(ids: list[int]) -> dict[int, str]:
        from photodesk.models import ImageAnalysis

        return dict(
            ImageAnalysis.objects.filter(image_id__in=ids).values_list("image_id", "status")
        )

    def all_done(self, ids: list[int]) -> bool:
        states = self.status_of(ids)
        return len(states) == len(ids) and all(s in ("done", "failed") for s in states.values())

    @staticmethod
    def index_ids() -> set:
        from photodesk.search.index import get_index

        try:
            return set(get_index().ids())
        except Exception:
            return set()

    def agrees(self, kept: list[int], deleted: list[int] = ()) -> bool:
        """Every kept image analysed and in the index, no deleted one left there, no debt."""
        from photodesk.models import ImageAnalysis, IndexRemoval

        ids = self.index_ids()
        return (
            self.all_done(kept)
            and set(kept) <= ids
            and not set(deleted) & ids
            and not ImageAnalysis.objects.filter(index_pending=True).exists()
            and not IndexRemoval.objects.exists()
        )

    def lost(self, kept: list[int], deleted: list[int] = ()) -> tuple[int, int]:
        ids = self.index_ids()
        return len(set(kept) - ids), len(set(deleted) & ids)

    # -- the faults -------------------------------------------------------------------------
    def outage_during_ingest(self) -> None:
        """Upload while the node hangs (SIGSTOP: every request waits for the timeout), delete
        two images meanwhile, let it answer again; the retries catch up by themselves."""
        self.reset_peaks()
        before = [self.upload_photo(i) for i in range(3)]
        wait(lambda: self.agrees(before), 120)
        node = self.node_pid()
        os.kill(node, signal.SIGSTOP)
        try:
            during = [self.upload_photo(i) for i in range(3, 11)]
            deletes = []
            for pk in before[:2]:
                start = time.perf_counter()
                status, _ = self.request("DELETE", f"/api/v1/images/{pk}/")
                deletes.append(time.perf_counter() - start)
                assert status == 204, status
            wait(lambda: self.all_done(during), 240)
            # A third process (a management command, the web process) writing now.
            from photodesk import indexing
            from photodesk.search.index.breaker import IndexKnownDown

            start = time.perf_counter()
            try:
                indexing.remove_image(-1)
                told = "wrote?"
            except IndexKnownDown:
                told = "failed fast"
            except Exception:
                told = "waited for the timeout"
            third = time.perf_counter() - start
        finally:
            os.kill(node, signal.SIGCONT)
        resumed = time.monotonic()
        kept, deleted = before[2:] + during, before[:2]
        took = wait(lambda: self.agrees(kept, deleted), 240, interval=0.5)
        slow, fast = self.write_failures()
        missing, orphans = self.lost(kept, deleted)
        self.rows.append(
            Row(
                "index outage during ingest (node hung)",
                f"{len(kept) - missing}/{len(kept)} indexed, {len(deleted) - orphans}/2 removed",
                f"{missing} missing, {orphans} orphans",
                f"{took:.1f} s"
                if took is not None
                else f"> 240 s ({time.monotonic() - resumed:.0f})",
                self.peaks(),
                [
                    f"DELETE during the outage: max {max(deletes):.2f} s",
                    f"worker writes: {slow} waited for the timeout, {fast} failed fast",
                    f"a third process's first write {told} in {third:.2f} s",
                ],
            )
        )

    def write_failures(self) -> tuple[int, int]:
        log = (self.work / "worker.log").read_text()
        fast = log.count("known to be down")
        slow = sum(
            1
            for line in log.splitlines()
            if line.startswith("Could not") and "known to be down" not in line
        )
        return slow, fast

    def worker_killed(self) -> None:
        """SIGKILL the worker process running an analysis; the recover schedule (run here every
        2 s instead of every minute) finds the run whose process is gone and queues it again."""
        from photodesk import tasks
        from photodesk.models import ImageAnalysis

        self.reset_peaks()
        ids = [self.upload_photo(i) for i in range(20, 26)]
        running = wait(
            lambda: (
                ImageAnalysis.objects.filter(image_id__in=ids, status="running")
                .exclude(worker="")
                .exists()
            ),
            120,
            interval=0.02,
        )
        victim = ImageAnalysis.objects.filter(image_id__in=ids, status="running").first()
        pid = int(victim.worker.rsplit(":", 1)[1]) if victim else None
        if running is None or pid is None:
            self.rows.append(Row("worker killed mid-analysis", "-", "-", notes=["never running"]))
            return
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        requeued = 0

        def recovered() -> bool:
            nonlocal requeued
            requeued += tasks.recover_stale_analyses()["requeued"]
            return self.agrees(ids)

        took = wait(recovered, 240, interval=2)
        missing, _ = self.lost(ids)
        not_done = sum(s != "done" for s in self.status_of(ids).values())
        self.rows.append(
            Row(
                "worker killed mid-analysis (SIGKILL)",
                f"{len(ids) - missing}/{len(ids)} analysed and indexed",
                f"{missing} missing, {not_done} not done",
                f"{took:.1f} s" if took is not None else f"> {time.monotonic() - killed:.0f} s",
                self.peaks(),
                [f"{requeued} requeued by recover (broker retry window: 180 s)"],
            )
        )

    def crash_between_commit_and_index(self) -> None:
        """A process commits an analysis and dies before its index write (os._exit right
        after the pipeline's commit); the redelivered task finishes the job."""
        from django_q.tasks import async_task

        from photodesk.search.index import get_index

        self.reset_peaks()
        ids = [self.upload_photo(i) for i in range(30, 32)]
        wait(lambda: self.agrees(ids), 120)
        get_index().delete(ids)  # as if never indexed: the crash comes before the write
        code = textwrap.dedent(
            """
            import os, sys, django
            django.setup()
            from cms_images.models import Image
            from photodesk.analysis import pipeline
            pipeline.analyze(Image.objects.get(pk=int(sys.argv[1])), force=True)
            os._exit(137)  # killed between the commit and the index write
            """
        )
        for pk in ids:
            subprocess.run([sys.executable, "-c", code, str(pk)], cwd=ROOT, env=self.env())
        from photodesk.models import ImageAnalysis

        pending = ImageAnalysis.objects.filter(image_id__in=ids, index_pending=True).count()
        start = time.monotonic()
        for pk in ids:  # the broker redelivers the dead process's task
            async_task("photodesk.tasks.analyze_image", pk, task_name=f"redelivered-{pk}")
        took = wait(lambda: self.agrees(ids), 120)
        missing, _ = self.lost(ids)
        self.rows.append(
            Row(
                "crash between commit and index write",
                f"{len(ids) - missing}/{len(ids)} indexed",
                f"{missing} missing",
                f"{took:.1f} s" if took is not None else f"> {time.monotonic() - start:.0f} s",
                self.peaks(),
                [f"{pending}/{len(ids)} marked index-pending after the crash"],
            )
        )

    def oversized_text(self) -> None:
        """Captions and titles over their limits (400, nothing stored) and article bodies up
        to the API's 200,000 characters (benchmarks/text_limits.py's texts) on the web server."""
        from text_limits import body

        from cms_images.models import Image

        self.reset_peaks()
        images = Image.objects.count()
        photo = self.photos[0].read_bytes()
        refused = 0
        cases = [("caption", 5_001), ("caption", 1_000_000), ("title", 300), ("credit", 256)]
        for name, size in cases:
            status, _ = self.upload("big.jpg", photo, **{name: "x" * size})
            refused += status == 400
        stored = Image.objects.count() - images

        def suggest(text: str) -> tuple[int, bytes]:
            payload = json.dumps({"title": "Long article", "body": text}).encode()
            return self.request("POST", "/api/v1/suggestions/", payload, "application/json")

        suggest("The model loads once. " * 20)  # the language model loads on the first one
        self.reset_peaks()
        worst, errors, seen = 0.0, 0, []
        for kind in ("prose", "random"):
            for size in (10_000, 50_000, 200_000):
                start = time.perf_counter()
                status, content = suggest(body(kind, size)[:size])
                took = time.perf_counter() - start
                worst = max(worst, took)
                errors += status != 200
                seen.append(f"{kind} {size // 1000}k: {status} in {took:.2f} s")
                if status != 200:
                    seen[-1] += f" {content[:80].decode(errors='replace')!r}"
        self.rows.append(
            Row(
                "oversized captions and bodies",
                f"{refused}/{len(cases)} refused (400), 6 bodies answered",
                f"{stored} stored, {errors} body errors",
                f"slowest body {worst:.2f} s",
                self.peaks(),
                seen,
            )
        )

    def bad_files(self) -> None:
        from cms_images.models import Image
        from tests.api_support import encoded, png_bomb, png_header_only

        self.reset_peaks()
        cat = self.photos[0].read_bytes()
        corpus = {
            "truncated.jpg": cat[: len(cat) // 3],
            "bomb.png": png_bomb(30_000, 30_000),
            "huge.png": png_header_only(10_000, 9_000),
            "zero.jpg": b"",
            "notes.jpg": b"Meeting notes, not a photo.\n" * 20,
            "animation.jpg": encoded("GIF", mode="P", color=3),
            "scan.bmp": encoded("BMP"),
            "random.jpg": os.urandom(50_000),
            "header-only.jpg": cat[:200],
        }
        images, media = Image.objects.count(), self.media_files()
        statuses = [self.upload(name, data)[0] for name, data in corpus.items()]
        stored = Image.objects.count() - images
        new_files = self.media_files() - media
        self.rows.append(
            Row(
                "bad-file corpus",
                f"{statuses.count(400)}/{len(corpus)} refused (400)",
                f"{stored} stored, {len(new_files)} files left, "
                f"{sum(s >= 500 for s in statuses)} 5xx",
                "-",
                self.peaks(),
            )
        )

    def media_files(self) -> set[Path]:
        root = self.work / "data" / "media"
        return set(root.rglob("*")) if root.exists() else set()

    def concurrent_load(self) -> None:
        self.reset_peaks()
        uploads: list[int] = []
        statuses: list[int] = []
        latencies: list[float] = []
        lock, done = threading.Lock(), threading.Event()

        def uploader(n: int) -> None:
            for i in range(5):
                start = time.perf_counter()
                photo = self.photos[(40 + n * 5 + i) % len(self.photos)]
                status, payload = self.upload(f"load-{n}-{i}.jpg", photo.read_bytes())
                with lock:
                    statuses.append(status)
                    latencies.append(time.perf_counter() - start)
                    if status == 202:
                        uploads.append(payload["image"]["id"])

        def searcher() -> None:
            while not done.is_set():
                start = time.perf_counter()
                status, _ = self.get("/api/v1/search/?q=a+dog+on+the+beach&limit=10")
                with lock:
                    statuses.append(status)
                    latencies.append(time.perf_counter() - start)

        up = [threading.Thread(target=uploader, args=(n,)) for n in range(4)]
        search = [threading.Thread(target=searcher) for _ in range(2)]
        for thread in up + search:
            thread.start()
        for thread in up:
            thread.join()
        start = time.monotonic()
        took = wait(lambda: self.agrees(uploads), 300, interval=0.5)
        done.set()
        for thread in search:
            thread.join()
        missing, _ = self.lost(uploads)
        latencies.sort()
        p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0
        errors = sum(s not in (200, 202) for s in statuses)
        self.rows.append(
            Row(
                "concurrent load (4 uploaders, 2 searchers)",
                f"{len(uploads) - missing}/20 uploads indexed, {len(statuses)} requests",
                f"{missing} missing, {errors} errors",
                f"queue drained {took:.1f} s"
                if took is not None
                else f"> {time.monotonic() - start:.0f} s",
                self.peaks(),
                [f"request p95 {p95:.2f} s"],
            )
        )

    def table(self) -> str:
        head = ("fault", "held", "lost", "time to recover", "peak MB (web / worker)")
        rows = [head] + [(r.scenario, r.held, r.lost, r.recover, r.peak_mb) for r in self.rows]
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) for row in rows]
        lines.insert(1, "-+-".join("-" * w for w in widths))
        for row in self.rows:
            lines.extend(f"  {row.scenario}: {note}" for note in row.notes)
        return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--analyzers", choices=("fast", "all"), default="fast")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="photodesk-faults-"))
    work.chmod(0o755)  # run as root, the script starts the node as its service user
    campaign = Campaign(work, args.analyzers)
    started = time.monotonic()
    try:
        campaign.start()
        for fault in (
            campaign.outage_during_ingest,
            campaign.worker_killed,
            campaign.crash_between_commit_and_index,
            campaign.oversized_text,
            campaign.bad_files,
            campaign.concurrent_load,
        ):
            print(f"… {fault.__name__}", flush=True)
            try:
                fault()
            except Exception as exc:  # one fault's failure must not hide the others' figures
                campaign.rows.append(Row(fault.__name__, "-", f"error: {exc!r}"[:80]))
    finally:
        campaign.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(campaign.table())
    print(f"({time.monotonic() - started:.0f} s in all; logs in {work if args.keep else '-'})")


if __name__ == "__main__":
    main()
