"""Is the process running an analysis still alive? An analysis records which process runs it
(host:pid); one shown "running" whose process is gone, or that started longer ago than any
task may run, was cut short (a worker killed, a machine restarted) and will never finish."""

from __future__ import annotations

import datetime as dt
import os
import socket

from django.utils import timezone

from photodesk.models import AnalysisQuerySet, ImageAnalysis


def this_worker() -> str:
    """host:pid of this process, as recorded on the analyses it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def worker_is_gone(worker: str) -> bool:
    """True when `worker` (host:pid) ran on this host and that process no longer exists. A
    process of another host cannot be seen from here: only the age of its run tells."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return _is_zombie(int(pid))


def _is_zombie(pid: int) -> bool:
    """Killed but not yet reaped by its parent (django-q2's sentinel reaps on its next turn)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return False


def stale_running(max_seconds: float) -> list[ImageAnalysis]:
    """Analyses shown running whose run cannot finish: started more than `max_seconds` ago
    (longer than the task timeout allows), or run by a process of this host that is gone."""
    running: AnalysisQuerySet = ImageAnalysis.objects.filter(status=ImageAnalysis.Status.RUNNING)
    cutoff = timezone.now() - dt.timedelta(seconds=max_seconds)
    stale = []
    for analysis in running.only("pk", "image_id", "started_at", "worker", "attempts"):
        too_old = analysis.started_at is None or analysis.started_at < cutoff
        if too_old or (analysis.worker and worker_is_gone(analysis.worker)):
            stale.append(analysis)
    return stale
