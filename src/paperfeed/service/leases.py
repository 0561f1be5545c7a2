"""Leases on running tasks, so a task whose worker dies is run again.

django-tasks' database backend marks a task RUNNING when a worker takes it and has no
notion of that worker dying. Here a worker takes a lease (a ``TaskLease`` row) right
after claiming a task and renews it from a heartbeat thread every
``PAPERFEED_TASK_HEARTBEAT_SECONDS`` while the task runs. Every worker also looks, as
often, for leases that expired (``PAPERFEED_TASK_LEASE_SECONDS`` without a heartbeat:
the worker was killed, its machine is gone or cut off) and puts their tasks back in the
queue, where the next free worker takes them. After ``PAPERFEED_TASK_MAX_ATTEMPTS``
lost workers a task is marked failed instead, so a task that kills its worker (say,
out of memory) cannot take the pool down in a loop.

A task may therefore run twice: when its worker was only stalled past the lease, or
died after the work but before recording success. Every paperfeed task is written to
be safe to run again (indexing rewrites the same rows; digests go through the send
log's claim), and the tests kill workers mid-task to show it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperfeed import metrics
from paperfeed.service.models import TaskLease

log = logging.getLogger("paperfeed.tasks")


class WorkerLost(Exception):
    """Recorded as a task's error when its workers died too often."""


def lease_length() -> dt.timedelta:
    return dt.timedelta(seconds=float(settings.PAPERFEED_TASK_LEASE_SECONDS))


def heartbeat_interval() -> float:
    return float(settings.PAPERFEED_TASK_HEARTBEAT_SECONDS)


def take(task_id: uuid.UUID | str, worker_id: str, now: dt.datetime | None = None) -> None:
    """Hold this task for one lease length."""
    now = now or timezone.now()
    TaskLease.objects.update_or_create(
        task_id=task_id,
        defaults={"worker_id": worker_id, "taken_at": now, "expires_at": now + lease_length()},
    )


def renew(task_id: uuid.UUID | str, worker_id: str) -> bool:
    """Extend our lease; False when it is gone (another worker reclaimed the task)."""
    expires = timezone.now() + lease_length()
    return bool(
        TaskLease.objects.filter(task_id=task_id, worker_id=worker_id).update(expires_at=expires)
    )


def release(task_id: uuid.UUID | str, worker_id: str) -> None:
    TaskLease.objects.filter(task_id=task_id, worker_id=worker_id).delete()


def requeue(task_id: uuid.UUID | str, worker_id: str) -> bool:
    """Put a task we hold back in the queue (the worker is stopping mid-task)."""
    with transaction.atomic():
        moved = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY
        )
        release(task_id, worker_id)
    return bool(moved)


def reclaim_expired(now: dt.datetime | None = None) -> list[str]:
    """Put back in the queue every running task whose worker stopped renewing its lease
    (or never took one, a lease length after starting); returns their ids.

    Each task moves with a conditional update on the state that was read, so of two
    workers reclaiming at once one wins, and a task that a live worker finished
    meanwhile stays finished."""
    now = now or timezone.now()
    expired = dict(
        TaskLease.objects.filter(expires_at__lt=now).values_list("task_id", "expires_at")
    )
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    leased = TaskLease.objects.values("task_id")
    orphans = running.filter(started_at__lt=now - lease_length()).exclude(pk__in=leased)
    lost = list(running.filter(pk__in=list(expired))) + list(orphans)
    reclaimed = []
    limit = int(settings.PAPERFEED_TASK_MAX_ATTEMPTS)
    for result in lost:
        attempts = len(result.worker_ids)
        with transaction.atomic():
            same = DBTaskResult.objects.filter(
                pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
            )
            if attempts >= limit:
                moved = same.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                    traceback=f"WorkerLost: {attempts} workers died running this task\n",
                )
            else:
                moved = same.update(status=TaskResultStatus.READY)
            lease = TaskLease.objects.filter(task_id=result.pk)
            if result.pk in expired:
                lease = lease.filter(expires_at=expired[result.pk])
            lease.delete()
        if moved:
            reclaimed.append(str(result.pk))
            metrics.TASKS_RECLAIMED.inc()
            log.warning(
                "task %s (%s) lost its worker %s; %s",
                result.pk,
                result.task_path,
                (result.worker_ids or ["?"])[-1],
                f"failed after {attempts} attempts" if attempts >= limit else "queued again",
            )
    return reclaimed


class Housekeeper(threading.Thread):
    """A worker's background thread: renews the lease of the task the worker runs and
    reclaims the tasks of dead workers, every heartbeat interval. It uses its own
    database connection, closed when it stops."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="paperfeed-task-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.current: uuid.UUID | str | None = None
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            while not self._stop_event.wait(heartbeat_interval()):
                self.beat()
        finally:
            connections.close_all()

    def beat(self) -> None:
        close_old_connections()
        try:
            task_id = self.current
            lost = task_id is not None and not renew(task_id, self.worker_id)
            if lost and self.current == task_id:
                log.warning(
                    "lease on task %s was taken back; it may run twice (it is safe to)",
                    task_id,
                )
            reclaim_expired()
        except Exception:  # a database hiccup: the next beat tries again
            log.exception("task heartbeat failed")

    def stop(self) -> None:
        self._stop_event.set()
