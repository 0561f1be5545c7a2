"""The Prometheus metrics that paperfeed's processes record (prometheus-client).

Defined once here, beside no app, so that any app can count what it does without
importing the app that serves ``/metrics`` (``paperfeed.monitoring``). With
``PAPERFEED_METRICS=1`` settings point ``PROMETHEUS_MULTIPROC_DIR`` at a folder shared
by the processes of one machine (granian's web workers, the task worker that
``paperfeed serve`` starts) before this module is imported, so each process writes
its own files there and a scrape of any web process sums them all. Without it they
count in process memory, which costs next to nothing and is never served.

Figures read from the database at scrape time (queue depth, embedding backlog) are
not here: ``paperfeed.monitoring.collectors`` reads them when asked.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess

REQUEST_SECONDS = Histogram(
    "paperfeed_http_request_duration_seconds",
    "Time to answer a request, by view (URL pattern name), method and status.",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASKS = Counter(
    "paperfeed_tasks",
    "Background tasks run, by task name and outcome (successful, failed, requeued).",
    ["task", "outcome"],
)
TASK_SECONDS = Histogram(
    "paperfeed_task_duration_seconds",
    "Time a background task ran, by task name.",
    ["task"],
    buckets=(0.05, 0.25, 1.0, 5.0, 15.0, 60.0, 300.0, 1200.0, 3600.0),
)
TASKS_RECLAIMED = Counter(
    "paperfeed_tasks_reclaimed",
    "Running tasks put back in the queue (or failed) because their worker's lease expired.",
)
EMAILS = Counter(
    "paperfeed_emails",
    "Digest emails by outcome: sent, failed (temporary, retried later), bounced.",
    ["outcome"],
)


def process_registry() -> CollectorRegistry:
    """What a scrape of this machine reports: the files of every process writing to
    the shared folder (multiprocess mode), else this process's own metrics."""
    if not settings.PAPERFEED_METRICS_DIR:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def clear_dead_files(folder: Path) -> int:
    """Delete the metric files of processes that are gone (named ``*_<pid>.db`` by
    prometheus-client), so a restart starts counting afresh without touching the
    files of processes still running beside it (a worker started separately).
    Returns how many were removed."""
    import os

    removed = 0
    for path in folder.glob("*_*.db"):
        pid = path.stem.rpartition("_")[2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
            removed += 1
        except PermissionError:  # alive, another user's
            pass
    return removed
