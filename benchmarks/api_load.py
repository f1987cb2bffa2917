"""A bounded local load test of the REST API: search and suggest under concurrent clients,
next to a baseline measured in the same run (the API root: token auth, DRF, JSON, no search).

A real server process on loopback serves a benchmark database with the demo photos ingested:
the threaded WSGI server `runserver` uses (gunicorn is not installed here), with TCP_NODELAY
on its sockets; without it every response waits ~40 ms for a delayed ACK (wsgiref writes
headers and body separately), which `--runserver` shows. N client threads with http.client
send requests for a fixed time per endpoint. Printed: requests/s, p50/p95 latency, errors, and the
ratio of each endpoint's throughput to the baseline's.

Usage: python benchmarks/api_load.py [--clients 20] [--seconds 30] [--port 8765] [--runserver]
(BENCH_DIR=… reuses a database and index from an earlier run.)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_DIR", tempfile.mkdtemp(prefix="photodesk-bench-api-"))
from _setup import ROOT, SHARED, django_setup  # noqa: E402

QUERIES = [
    "a cat",
    "rocket launch",
    "coffee",
    "astronaut in space",
    "flowers",
    "a city street with cars",
    "people at a market",
    "the moon",
    "old coins",
    "a photographer with a camera",
]
ARTICLES = [
    {"title": "SpaceX launches again", "body": "A Falcon 9 rocket lifted off from Florida."},
    {"title": "Coffee prices rise", "body": "A cup of coffee now costs more in cafés."},
    {"title": "Hubble at 35", "body": "The telescope's deep field images changed astronomy."},
    {"title": "Pets in the city", "body": "More households keep cats and dogs than before."},
]

# Throttles off in the server (this measures capacity, not the per-user limits).
SERVER_SETTINGS = """from settings.bench import *  # noqa
PHOTODESK = {**PHOTODESK, "API_SEARCH_RATE": None, "API_UPLOAD_RATE": None}
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
"""


def prepare() -> str:
    """Benchmark database with the demo photos analysed; an admin token."""
    django_setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from photodesk.roles import role_group

    call_command("ingest", str(SHARED / "photos" / "demo"), sync=True, no_progress=True)
    call_command("photodesk_roles")
    user, _ = User.objects.get_or_create(username="loadtest")
    user.groups.add(role_group("admin"))
    return Token.objects.get_or_create(user=user)[0].key


def start_server(port: int, runserver: bool) -> subprocess.Popen:
    bench_dir = Path(os.environ["BENCH_DIR"])
    (bench_dir / "api_load_settings.py").write_text(SERVER_SETTINGS)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "api_load_settings",
        "PYTHONPATH": f"{bench_dir}{os.pathsep}{ROOT}",
    }
    if runserver:
        command = ["manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    else:
        command = [str(Path(__file__).resolve()), "--serve", str(port)]
    server = subprocess.Popen(
        [sys.executable, *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/schema/")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("The server did not start within 60 s.")


def serve(port: int) -> None:
    """runserver's threaded WSGI server with TCP_NODELAY and no request log."""
    import socket

    import django

    django.setup()
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class NoDelayServer(ThreadedWSGIServer):
        def get_request(self):
            conn, address = super().get_request()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return conn, address

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = NoDelayServer(("127.0.0.1", port), QuietHandler)
    server.set_app(get_wsgi_application())
    server.serve_forever()


def request_maker(kind: str, token: str):
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}

    def make(i: int) -> tuple[str, str, bytes | None, dict]:
        if kind == "baseline":
            return "GET", "/api/v1/", None, headers
        if kind == "search":
            q = QUERIES[i % len(QUERIES)].replace(" ", "+")
            return "GET", f"/api/v1/search/?q={q}&limit=10", None, headers
        body = json.dumps({**ARTICLES[i % len(ARTICLES)], "limit": 10}).encode()
        return "POST", "/api/v1/suggestions/", body, {**headers, "Content-Type": "application/json"}

    return make


def run_phase(port: int, make, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i, mine, bad = n, [], 0
        while time.monotonic() < stop_at:
            method, path, body, headers = make(i)
            i += clients
            start = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
            elapsed = time.perf_counter() - start
            if ok:
                mine.append(elapsed)
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--runserver", action="store_true", help="manage.py runserver instead")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the server process
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return

    token = prepare()
    server = start_server(args.port, args.runserver)
    try:
        results = {}
        for kind in ("baseline", "search", "suggest"):
            make = request_maker(kind, token)
            run_phase(args.port, make, 2, 2.0)  # warm-up: models load, caches fill
            results[kind] = run_phase(args.port, make, args.clients, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=20)

    kind_of_server = "runserver" if args.runserver else "threaded WSGI server, TCP_NODELAY"
    print(
        f"{args.clients} concurrent clients, {args.seconds:.0f} s per endpoint, "
        f"{kind_of_server}, loopback, demo archive (39 images), embedded index"
    )
    print(f"{'endpoint':<34} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'vs base':>8}")
    base = results["baseline"]["rps"]
    names = {
        "baseline": "GET /api/v1/ (baseline)",
        "search": "GET /api/v1/search/?q=…",
        "suggest": "POST /api/v1/suggestions/",
    }
    for kind, r in results.items():
        print(
            f"{names[kind]:<34} {r['rps']:7.1f} {r['p50']:8.1f} {r['p95']:8.1f} "
            f"{r['errors']:7d} {r['rps'] / base:8.3f}"
        )


if __name__ == "__main__":
    main()
