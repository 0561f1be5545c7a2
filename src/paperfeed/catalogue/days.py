"""Announcement days: which days have papers and how many, and a day's neighbours.

Read from the per-day counts the paper table's triggers keep (``DayCount``), and
cached (Django's cache) under a key that changes whenever the catalogue does, so
pages, feeds, the API and the trending panel never scan the papers table for them.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.db.models import Sum

from paperfeed.catalogue.models import DayCount, Paper
from paperfeed.catalogue.version import recent_catalogue_version

T = TypeVar("T")


def cached_by_version(name: str, compute: Callable[[], T]) -> T:
    """``compute()``, cached until the catalogue changes (an hour at most)."""
    key = f"paperfeed:catalogue:{name}:{recent_catalogue_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, 3600)
    return value


def days_with_counts() -> list[tuple[dt.date, int]]:
    """Every announcement day with its number of papers, oldest first (cached): the
    rows the paper table's triggers keep (``DayCount``), not a count of the papers,
    which every import batch made every web process take again."""

    def compute() -> list[tuple[dt.date, int]]:
        rows = DayCount.objects.filter(papers__gt=0).order_by("day")
        return list(rows.values_list("day", "papers"))

    return cached_by_version("days", compute)


def paper_count() -> int:
    """Papers in the catalogue: the day counts' sum and the papers never announced
    (a range of the index on the day), never a count of the whole table."""
    dated = DayCount.objects.aggregate(n=Sum("papers"))["n"] or 0
    return dated + Paper.objects.filter(announced__isnull=True).count()


@dataclass(frozen=True)
class DayNav:
    previous: dt.date | None
    next: dt.date | None
    latest: dt.date | None
    first: dt.date | None


def day_nav(day: dt.date | None) -> DayNav:
    """The days with papers before and after ``day``, from the cached days list."""
    days = [d for d, _ in days_with_counts()]
    if not days:
        return DayNav(None, None, None, None)
    if day is None:
        day = days[-1]
    left = bisect.bisect_left(days, day)
    right = bisect.bisect_right(days, day)
    previous = days[left - 1] if left > 0 else None
    following = days[right] if right < len(days) else None
    return DayNav(previous, following, days[-1], days[0])
