"""Background indexing with the Django tasks API (django-tasks).

Ingest sends ``papers_changed`` after each batch commits; the receiver only
enqueues :func:`index_papers`, so embedding happens in a worker
(``paperfeed db_worker``), never in the request or import that changed the papers.
"""

from __future__ import annotations

import logging

from django_tasks import task

log = logging.getLogger("paperfeed.search")


@task(queue_name="default")
def index_papers(paper_ids: list[int]) -> int:
    """Keyword rows and embeddings for these papers; idempotent."""
    from paperfeed.search.indexing import index_papers_now

    return index_papers_now(paper_ids)


def on_papers_changed(sender, paper_ids=None, **kwargs) -> None:
    ids = sorted({int(i) for i in paper_ids or []})
    if not ids:
        return
    try:
        index_papers.enqueue(ids)
    except Exception:  # the catalogue write stands; reindex --missing catches up
        log.exception("could not enqueue indexing of %d papers", len(ids))
