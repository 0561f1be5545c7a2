"""How complete the search indexes are, for ``paperfeed stats``, the admin, the
search page and the API.

Keyword rows are written with the papers, so ``keyword`` equals the paper count once
an import commits; vectors follow in workers (``embedded`` catches up), and until it
does, readers are told that meaning search covers only part of the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperfeed.catalogue import days
from paperfeed.catalogue.version import database_key, recent_catalogue_version
from paperfeed.memo import Lru
from paperfeed.search import keyword, vectors


@dataclass(frozen=True)
class Coverage:
    """Papers in the catalogue and how many of them have a vector."""

    papers: int
    embedded: int

    @property
    def complete(self) -> bool:
        return self.embedded >= self.papers

    @property
    def notice(self) -> str | None:
        """What a reader is told while embedding is behind (None once it is not)."""
        if self.complete:
            return None
        return (
            f"meaning search covers {self.embedded:,} of {self.papers:,} papers; "
            "keyword results are complete"
        )

    def as_dict(self) -> dict[str, object]:
        return {"papers": self.papers, "embedded": self.embedded, "notice": self.notice}


# The paper count by database, stamped with the catalogue version (read once a second).
_paper_counts: Lru[str, str, int] = Lru(8)


def paper_count() -> int:
    """Papers in the catalogue, read again only when the catalogue changed (from the
    per-day counts: ``catalogue.days.paper_count``)."""
    return _paper_counts.current(database_key(), recent_catalogue_version(), days.paper_count)


def coverage() -> Coverage:
    """Cheap enough for every search: both counts are kept per process (the vector
    count for ``PAPERFEED_VECTOR_STATE_TTL`` seconds, longer past the ANN threshold)."""
    return Coverage(papers=paper_count(), embedded=vectors.TableState.read().count)


def task_counts() -> dict[str, int]:
    """Tasks waiting for a worker and tasks being run, in django-tasks' database queue."""
    counts = DBTaskResult.objects.aggregate(
        waiting=Count("id", filter=Q(status=TaskResultStatus.READY)),
        running=Count("id", filter=Q(status=TaskResultStatus.RUNNING)),
    )
    return {"waiting": counts["waiting"], "running": counts["running"]}


def index_stats() -> dict[str, dict[str, int]]:
    """``index``: papers with keyword rows and with vectors (counted now, not cached);
    ``tasks``: the queue. What ``paperfeed stats --json`` and the admin report."""
    vectors.forget_state()
    return {
        "index": {
            "keyword": keyword.keyword_row_count(),
            "embedded": vectors.TableState.read().count,
        },
        "tasks": task_counts(),
    }


def on_collect_stats(sender, **kwargs) -> dict[str, dict[str, int]]:
    """``collect_stats`` receiver: the index and queue parts of ``paperfeed stats``."""
    return index_stats()
