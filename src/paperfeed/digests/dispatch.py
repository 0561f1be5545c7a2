"""A period's digests, sent inline or split into one background task per batch of
readers (``paperfeed digest send``). Kept apart from ``send`` (one reader, one batch)
and ``tasks`` (the task that runs a batch), which both stay below it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from paperfeed.digests.compose import Composer, period_for
from paperfeed.digests.models import SendLog
from paperfeed.digests.send import SendResult, batch_size, due_subscribers, send_batch
from paperfeed.digests.tasks import send_digest_batch

State = SendLog.State


def send_period(
    kind: str,
    day: dt.date,
    inline: bool = True,
    sleep=time.sleep,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[SendResult, int]:
    """Send (inline) or enqueue (one task per batch) this period's digests.
    Returns the inline result and the number of batches; an inline send reports
    ``progress(subscribers done, subscribers due)`` after each batch."""
    period = period_for(kind, day)
    already = SendLog.objects.filter(
        period_key=period.key, state__in=[State.SENT, State.BOUNCED]
    ).values("subscriber_id")
    ids = list(due_subscribers(kind).exclude(pk__in=already).values_list("pk", flat=True))
    size = batch_size()
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]
    result = SendResult()
    if inline:
        composer = Composer(period)
        done = 0
        for chunk in batches:
            result.add(send_batch(kind, day, chunk, composer=composer, sleep=sleep))
            done += len(chunk)
            if progress:
                progress(done, len(ids))
    else:
        for chunk in batches:
            send_digest_batch.enqueue(kind, day.isoformat(), chunk)
    return result, len(batches)
