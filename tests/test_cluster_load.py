"""The load benchmark's drain poller (``benchmarks/cluster_load.py``): the run's readers
are reported alone once no indexing task waits or runs, whatever else is queued."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperfeed.digests.tasks import send_digest_batch
from paperfeed.search.tasks import index_papers

PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "cluster_load.py"
spec = importlib.util.spec_from_file_location("cluster_load", PATH)
assert spec and spec.loader
cluster_load = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cluster_load)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL")
@pytest.mark.django_db
def test_the_backlog_counts_indexing_tasks_waiting_or_running_only():
    connection.ensure_connection()
    db = connection.connection  # psycopg's own connection, as the poller's

    def status(result, value: str) -> None:
        DBTaskResult.objects.filter(pk=result.id).update(status=value)

    assert cluster_load.indexing_backlog(db) == 0
    first = index_papers.enqueue([1])
    second = index_papers.enqueue([2])
    send_digest_batch.enqueue("daily", "2026-12-01", [1])  # not indexing
    assert cluster_load.indexing_backlog(db) == 2
    status(first, TaskResultStatus.RUNNING)  # a killed worker's, until its lease expires
    assert cluster_load.indexing_backlog(db) == 2
    status(first, TaskResultStatus.SUCCESSFUL)
    status(second, TaskResultStatus.FAILED)
    assert cluster_load.indexing_backlog(db) == 0
