"""A worker killed with SIGKILL mid-task: another worker runs the task again once the
lease expires, and the result is as if it had run once (real processes and signals)."""

from __future__ import annotations

import pytest
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperfeed.catalogue.ingest import Ingestor
from paperfeed.catalogue.models import Paper
from paperfeed.search.models import PaperEmbedding
from paperfeed.service.models import TaskLease
from tests.support.corpus import listing_records
from tests.support.processes import kill, paperfeed_env, start, stop, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LEASE = {"PAPERFEED_TASK_LEASE_SECONDS": "3", "PAPERFEED_TASK_HEARTBEAT_SECONDS": "0.5"}


def test_killed_indexing_task_completes_on_another_worker(tmp_path, worker_data_dir):
    Ingestor().ingest(listing_records(256))  # after commit: one indexing task queued
    (queued,) = DBTaskResult.objects.filter(task_path__endswith="index_papers")
    papers = set(Paper.objects.values_list("id", flat=True))
    assert set(queued.args_kwargs["args"][0]) == papers
    env = paperfeed_env(worker_data_dir, **LEASE)

    first_log = tmp_path / "first.log"
    first = start(["worker", "--interval", "0.2"], env, first_log)
    try:
        # Mid-task: the first batch of vectors is committed, the rest not yet.
        wait_for(PaperEmbedding.objects.exists, 300, "the first embeddings", first_log)
    finally:
        kill(first)
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.RUNNING  # what the backend alone leaves for ever
    assert PaperEmbedding.objects.count() < len(papers)
    assert TaskLease.objects.filter(task_id=queued.pk).exists()

    second_log = tmp_path / "second.log"
    second = start(["worker", "--interval", "0.2"], env, second_log)
    try:

        def finished() -> bool:
            queued.refresh_from_db()
            return queued.status == TaskResultStatus.SUCCESSFUL

        wait_for(finished, 300, "the task to finish on the second worker", second_log)
    finally:
        stop(second)
    assert len(queued.worker_ids) == 2 and queued.worker_ids[0] != queued.worker_ids[1]
    embedded = list(PaperEmbedding.objects.values_list("paper_id", flat=True))
    assert sorted(embedded) == sorted(papers)  # every paper once
    assert not TaskLease.objects.exists()
    assert "lost its worker" in second_log.read_text()
