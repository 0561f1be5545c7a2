"""What the task queue holds: one function that every report of the queue reads
(``/readyz``, the Prometheus metrics, ``paperfeed stats``), so they agree.

Counts come from django-tasks' database table through indexes only: waiting tasks
through the backend's own partial index on READY rows, running ones through
``service_task_running`` (a partial index this app adds, migration 0003), so a table
holding millions of finished results costs nothing here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max


@dataclass(frozen=True)
class QueueState:
    """``waiting``: ready to run now; ``scheduled``: ready at a later time (retries);
    ``running``: held by a worker; ``oldest_waiting_seconds``: how long the task that
    has waited longest has been runnable (None when nothing waits)."""

    waiting: int
    scheduled: int
    running: int
    oldest_waiting_seconds: float | None

    def as_dict(self) -> dict[str, int | float | None]:
        return asdict(self)


def queue_state(now: dt.datetime | None = None) -> QueueState:
    """The queue as it is now (two small aggregate queries)."""
    now = now or timezone.now()
    never = get_date_max()
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    due = Q(run_after=never) | Q(run_after__lte=now)
    counts = ready.aggregate(
        waiting=Count("pk", filter=due),
        scheduled=Count("pk", filter=~due),
        # A deferred task becomes runnable at run_after, any other when enqueued.
        oldest_plain=Min("enqueued_at", filter=Q(run_after=never)),
        oldest_deferred=Min("run_after", filter=Q(run_after__lte=now) & ~Q(run_after=never)),
    )
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()
    since = [t for t in (counts["oldest_plain"], counts["oldest_deferred"]) if t is not None]
    oldest = max(0.0, (now - min(since)).total_seconds()) if since else None
    return QueueState(counts["waiting"], counts["scheduled"], running, oldest)
