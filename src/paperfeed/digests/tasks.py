"""Digest batches as background tasks: ``paperfeed digest send`` enqueues one task per
batch of subscribers and any number of ``paperfeed worker`` processes share them.
Each task is idempotent through the send log."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task(queue_name="default")
def send_digest_batch(kind: str, day: str, subscriber_ids: list[int]) -> dict[str, int]:
    from paperfeed.digests.send import send_batch

    return send_batch(kind, dt.date.fromisoformat(day), subscriber_ids).as_dict()
