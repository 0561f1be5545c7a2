"""The revisions that page caches and ETags key on, moved by every community write.

Two grains:

- ``revision()``, the whole community's: the latest ``updated_at`` of any state row.
  For pages that may show any paper's votes (a paper page's similar papers, an
  author's papers, search results, collections).
- ``span_revision(first, last)``, only the days of a span: for pages that list the
  papers of a span of days (the daily feed, the API's list of one day, trending).
  Under constant voting the whole community's revision moves every second, and no
  page stays cached longer than that; keyed on their span's days, last week's pages
  stay cached while today's papers are voted on.

A paper counts for the days of its announcement, its state row's ``day`` and its
``featured_on``: every page that lists it lists one of those. A write to a paper's
state touches those days (:func:`touch`; a feature moved from one day to another,
both), in the write's transaction, so a page rendered before the commit is keyed by
the old revision.

Each day holds a counter (``DayRevision``), not a time: the span's revision is the
sum of its days' counters and their number, which any touch or new day changes. A
latest time would not move when a machine whose clock is behind writes last.

Reads are kept for a second per process (as the catalogue version is) and forgotten
when this process writes, so a writer's next page shows its change.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Max, Sum

from paperfeed.community.models import DayRevision, PaperState
from paperfeed.memo import Lru, Recent

SECONDS = 1.0  # how long a process keeps a revision it read


def revision() -> str:
    """Changes whenever any state row does. One read of an indexed MAX."""
    latest = PaperState.objects.aggregate(latest=Max("updated_at"))["latest"]
    return latest.isoformat() if latest else "-"


def days_of(paper_ids: Iterable[int]) -> set[dt.date]:
    """The days these papers count for: announced, ``day`` and ``featured_on``."""
    days: set[dt.date] = set()
    rows = PaperState.objects.filter(paper_id__in=list(paper_ids)).values_list(
        "day", "featured_on", "paper__announced"
    )
    for row in rows:
        days.update(d for d in row if d is not None)
    return days


def touch(days: Iterable[dt.date | None]) -> None:
    """Move these days' revisions (and the whole community's memo in this process).

    Each missing day's row is created first and every row then counted up, so two
    writers touching a new day at once both move it (an insert that lost the race
    is not a lost touch). Days in order: concurrent touches lock rows in one order."""
    wanted = sorted({day for day in days if day is not None})
    if wanted:
        DayRevision.objects.bulk_create(
            [DayRevision(day=day) for day in wanted], ignore_conflicts=True
        )
        DayRevision.objects.filter(day__in=wanted).update(revision=F("revision") + 1)
    forget()
    transaction.on_commit(forget)


def touch_all() -> None:
    """Every day's revision moved (after a recompute rewrote every state row)."""
    days = set(DayRevision.objects.values_list("day", flat=True))
    for field in ("day", "featured_on", "paper__announced"):
        days.update(PaperState.objects.values_list(field, flat=True).distinct())
    touch(days)


def span_revision(first: dt.date, last: dt.date) -> str:
    """The revision of the days from ``first`` to ``last``. One indexed range read."""
    row = DayRevision.objects.filter(day__gte=first, day__lte=last).aggregate(
        total=Sum("revision"), days=Count("day")
    )
    return f"{first}..{last}:{row['days']}:{row['total'] or 0}"


# Read at most once a second per process; forgotten after a write in this process.
_recent = Recent(lambda: revision(), SECONDS)
_recent_spans: Lru[tuple[dt.date, dt.date], float, str] = Lru(512)


def recent_revision() -> str:
    return _recent()


def recent_span_revision(first: dt.date, last: dt.date) -> str:
    now = time.monotonic()
    found = _recent_spans.get((first, last), lambda read: now - read < SECONDS)
    if found is None:
        found = span_revision(first, last)
        _recent_spans.put((first, last), now, found)
    return found


def forget() -> None:
    """This process reads every revision afresh (after it wrote)."""
    _recent.forget()
    _recent_spans.clear()
