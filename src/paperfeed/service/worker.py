"""The task worker behind ``paperfeed worker``: django-tasks' database worker with
leases (see ``leases``), a clean hand-back on shutdown, and metrics per task.

The loop that finds and claims the next task is the backend's own; this class only
changes how a claimed task is run.
"""

from __future__ import annotations

import logging
import os
import socket
import time

from django.core.exceptions import SuspiciousOperation
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from paperfeed import metrics
from paperfeed.service import leases

log = logging.getLogger("paperfeed.tasks")


def new_worker_id() -> str:
    """Host, process and a random tail: unique across machines, readable in the admin."""
    tail = get_random_string(8)
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{tail}"


def _task_name(db_result: DBTaskResult) -> str:
    return db_result.task_path.rsplit(".", 1)[-1]


class LeasedWorker(Worker):
    """Runs each claimed task under a lease renewed by a heartbeat thread, which also
    reclaims the tasks of dead workers. A worker stopped mid-task (a second Ctrl-C or
    SIGTERM) puts its task back in the queue instead of recording it as failed."""

    def run(self) -> None:
        self.housekeeper = leases.Housekeeper(self.worker_id)
        self.housekeeper.start()
        try:
            leases.reclaim_expired()
            super().run()
        finally:
            self.housekeeper.stop()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        name = _task_name(db_task_result)
        leases.take(db_task_result.pk, self.worker_id)
        self.housekeeper.current = db_task_result.pk
        started = time.monotonic()
        outcome = "failed"
        try:
            self.running_task = True
            if self._call(db_task_result):
                outcome = "successful"
        except (SystemExit, KeyboardInterrupt):
            outcome = "requeued"
            leases.requeue(db_task_result.pk, self.worker_id)
            log.warning("stopped during task %s (%s): queued again", db_task_result.pk, name)
            raise
        finally:
            self.housekeeper.current = None
            self.running_task = False
            self._run_tasks += 1
            if outcome != "requeued":
                leases.release(db_task_result.pk, self.worker_id)
            metrics.TASKS.labels(name, outcome).inc()
            metrics.TASK_SECONDS.labels(name).observe(time.monotonic() - started)

    def _call(self, db_task_result: DBTaskResult) -> bool:
        """The backend's run_task, except that an interruption propagates unrecorded.
        True when the task succeeded."""
        try:
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(value)
            task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
            return True
        except (SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            db_task_result.set_failed(exc)
            try:
                sender = type(db_task_result.task.get_backend())
                failed = db_task_result.task_result
            except (ImportError, SuspiciousOperation):
                log.exception("task %s failed unexpectedly", db_task_result.pk)
            else:
                task_finished.send(sender=sender, task_result=failed)
            return False
