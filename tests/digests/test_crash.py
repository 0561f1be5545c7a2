"""A digest batch whose worker is killed (SIGKILL) in the middle of sending: after
recovery on another worker every reader has exactly one digest (real worker
processes, the aiosmtpd server, the database task queue)."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperfeed.catalogue.ingest import Ingestor
from paperfeed.digests.models import SendLog
from tests.digests.helpers import subscriber
from tests.search.conftest import without_index_signal
from tests.support.corpus import listing_records
from tests.support.processes import kill, paperfeed_env, start, stop, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_batch_killed_mid_send_delivers_one_digest_to_each_reader(smtp, tmp_path):
    with without_index_signal():
        records = listing_records(400)
        Ingestor().ingest(records)
    day = Counter(r.announced for r in records if r.announced).most_common(1)[0][0]
    readers = [subscriber(f"reader{i}@example.org") for i in range(8)]
    smtp.handler.hold.add("reader3@example.org")  # the send in flight when the worker dies
    call_command("digest", "send", "--date", day.isoformat(), stdout=StringIO())
    (batch,) = DBTaskResult.objects.filter(task_path__endswith="send_digest_batch")

    env = paperfeed_env(
        tmp_path / "data",
        SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
        PAPERFEED_BASE_URL="https://papers.example.org",
        PAPERFEED_FROM_EMAIL="paperfeed <digest@papers.example.org>",
        PAPERFEED_TASK_LEASE_SECONDS="3",
        PAPERFEED_TASK_HEARTBEAT_SECONDS="0.5",
        # A claim older than this was left by a dead worker (the lease is longer, so
        # the batch cannot run again before the claim it left is stale).
        PAPERFEED_DIGEST_CLAIM_STALE_MINUTES="0.02",
    )
    first_log = tmp_path / "first.log"
    first = start(["worker", "--interval", "0.2"], env, first_log)
    try:
        wait_for(lambda: smtp.handler.holding, 120, "the fourth send to start", first_log)
    finally:
        kill(first)
    smtp.handler.hold.clear()
    delivered = dict(smtp.handler.recipients())
    assert delivered == {f"reader{i}@example.org": 1 for i in range(3)}
    assert SendLog.objects.get(subscriber=readers[3]).state == SendLog.State.CLAIMED

    second_log = tmp_path / "second.log"
    second = start(["worker", "--interval", "0.2"], env, second_log)
    try:

        def done() -> bool:
            batch.refresh_from_db()
            return batch.status == TaskResultStatus.SUCCESSFUL

        wait_for(done, 120, "the batch to finish on the second worker", second_log)
    finally:
        stop(second)
    assert dict(smtp.handler.recipients()) == {r.email: 1 for r in readers}
    assert set(SendLog.objects.values_list("state", flat=True)) == {SendLog.State.SENT}
    assert len(batch.worker_ids) == 2
