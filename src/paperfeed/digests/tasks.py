"""Digest batches as background tasks: ``paperfeed digest send`` enqueues one task per
batch of subscribers and any number of ``paperfeed worker`` processes share them.
Each task is idempotent through the send log.

When a batch ends with temporary failures (a 4xx that outlasted the quick in-run
retries, or an unreachable server), the task enqueues itself again for later, with
growing delays (``DIGESTS_RETRY_LATER``, default 5 min, 30 min, 2 h), on backends that
can defer (the database backend can). So does a batch that found readers claimed by
another worker (one killed mid-send leaves its claim until it goes stale). The send
log makes the repeat touch only the readers still owed a digest.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from paperfeed.digests.send import send_batch

log = logging.getLogger("paperfeed.digests")


@task(queue_name="default")
def send_digest_batch(
    kind: str, day: str, subscriber_ids: list[int], attempt: int = 1
) -> dict[str, int]:
    result = send_batch(kind, dt.date.fromisoformat(day), subscriber_ids)
    if result.failed or result.left or result.held:
        retry_later(kind, day, subscriber_ids, attempt)
    return result.as_dict()


def retry_later(kind: str, day: str, subscriber_ids: list[int], attempt: int) -> bool:
    delays = list(settings.DIGESTS_RETRY_LATER)
    if attempt > len(delays):
        log.warning("digest batch for %s %s: giving up after %d attempts", kind, day, attempt)
        return False
    deferred = send_digest_batch.using(
        run_after=timezone.now() + dt.timedelta(seconds=delays[attempt - 1])
    )
    if not deferred.get_backend().supports_defer:
        return False
    deferred.enqueue(kind, day, subscriber_ids, attempt + 1)
    return True
