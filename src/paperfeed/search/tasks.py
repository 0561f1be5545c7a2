"""Background embedding with the Django tasks API (django-tasks).

Keyword rows are written with the papers, inside the ingest transaction (see
``apps.py``); what waits for a worker (``paperfeed worker``) is the embedding, never
done in the request or import that changed the papers. Ingest sends
``papers_changed`` after each batch commits, and the receiver enqueues
:func:`index_papers` with a priority that puts newer papers first: the database
queue takes higher priorities first, so after a large import today's papers get
meaning search within minutes instead of after the whole backlog.
"""

from __future__ import annotations

import datetime as dt
import logging
import math

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TASK_MAX_PRIORITY, TASK_MIN_PRIORITY

from paperfeed.catalogue.models import Paper

log = logging.getLogger("paperfeed.search")


@task(queue_name="default")
def index_papers(paper_ids: list[int]) -> int:
    """Embeddings for these papers, newest first; idempotent."""
    from paperfeed.search.indexing import index_papers_now

    return index_papers_now(paper_ids)


def priority(newest: dt.date | None, today: dt.date) -> int:
    """The queue priority of a batch whose newest paper was announced on ``newest``:
    100 for today's, 20 less each time the age doubles (a day 80, a week 40, a month
    0, a year -70), never below the queue's minimum. A log scale keeps a year-long
    import ordered newest first within the queue's 201 levels."""
    if newest is None:
        return TASK_MIN_PRIORITY
    age = max(0, (today - newest).days)
    return max(TASK_MIN_PRIORITY, min(TASK_MAX_PRIORITY, round(100 - 20 * math.log2(1 + age))))


def on_papers_changed(sender, paper_ids=None, **kwargs) -> None:
    ids = sorted({int(i) for i in paper_ids or []})
    if not ids:
        return
    try:
        newest = max(
            (d for d in Paper.objects.filter(id__in=ids).values_list("announced", flat=True) if d),
            default=None,
        )
        index_papers.using(priority=priority(newest, timezone.now().date())).enqueue(ids)
    except Exception:  # the catalogue write stands; reindex --missing catches up
        log.exception("could not enqueue indexing of %d papers", len(ids))
