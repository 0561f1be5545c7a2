"""Task leases: a task whose worker died goes back to the queue; the queue's state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperfeed.search.tasks import index_papers
from paperfeed.service import leases
from paperfeed.service.models import TaskLease
from paperfeed.service.queue import queue_state

pytestmark = pytest.mark.django_db


def _running(worker: str, started_ago: float, attempts: int = 1) -> DBTaskResult:
    result = index_papers.enqueue([1])
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = TaskResultStatus.RUNNING
    row.started_at = timezone.now() - dt.timedelta(seconds=started_ago)
    row.worker_ids = [f"w{i}" for i in range(attempts - 1)] + [worker]
    row.save()
    return row


def test_expired_lease_puts_the_task_back_and_live_ones_stay(settings):
    settings.PAPERFEED_TASK_LEASE_SECONDS = 10
    dead = _running("dead", started_ago=30)
    live = _running("live", started_ago=30)
    fresh = _running("fresh", started_ago=1)  # claimed, lease not written yet
    legacy = _running("old", started_ago=60)  # claimed by a worker without leases
    now = timezone.now()
    leases.take(dead.pk, "dead", now=now - dt.timedelta(seconds=20))
    leases.take(live.pk, "live", now=now - dt.timedelta(seconds=20))
    assert leases.renew(live.pk, "live")

    reclaimed = leases.reclaim_expired()

    assert sorted(reclaimed) == sorted([str(dead.pk), str(legacy.pk)])
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert status[dead.pk] == status[legacy.pk] == TaskResultStatus.READY
    assert status[live.pk] == status[fresh.pk] == TaskResultStatus.RUNNING
    assert list(TaskLease.objects.values_list("task_id", flat=True)) == [live.pk]
    assert leases.reclaim_expired() == []  # nothing twice
    assert not leases.renew(dead.pk, "dead")  # a stalled worker learns it lost the task


def test_a_task_that_keeps_killing_workers_fails(settings):
    settings.PAPERFEED_TASK_LEASE_SECONDS = 10
    settings.PAPERFEED_TASK_MAX_ATTEMPTS = 3
    poison = _running("w", started_ago=30, attempts=3)
    assert leases.reclaim_expired() == [str(poison.pk)]
    poison.refresh_from_db()
    assert poison.status == TaskResultStatus.FAILED
    assert poison.exception_class_path == "paperfeed.service.leases.WorkerLost"


def test_a_finished_task_is_not_reclaimed(settings):
    settings.PAPERFEED_TASK_LEASE_SECONDS = 10
    row = _running("w", started_ago=30)
    leases.take(row.pk, "w", now=timezone.now() - dt.timedelta(seconds=20))
    DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.SUCCESSFUL)
    assert leases.reclaim_expired() == []
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL


def test_queue_state_counts_waiting_scheduled_running_and_the_oldest_wait():
    assert queue_state().as_dict() == {
        "waiting": 0,
        "scheduled": 0,
        "running": 0,
        "oldest_waiting_seconds": None,
    }
    first = index_papers.enqueue([1])
    index_papers.enqueue([2])
    index_papers.using(run_after=timezone.now() + dt.timedelta(hours=1)).enqueue([3])
    _running("w", started_ago=5)
    DBTaskResult.objects.filter(pk=first.id).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=10)
    )
    state = queue_state()
    assert (state.waiting, state.scheduled, state.running) == (2, 1, 1)
    assert 599 <= state.oldest_waiting_seconds < 700
