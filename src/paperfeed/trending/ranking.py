"""The one place that decides the trending order.

The trending score (votes, stars, mentions) arrives in a later issue. Until then
papers are ranked by announcement recency, newest first, so the page and API are
real. Swap the body of ``trending_papers`` when the score lands; callers only rely
on the signature.

The window ends at the latest announcement day on or before ``now`` that the
catalogue knows, not at the wall clock: a catalogue that has not been refreshed
for a while (or a test corpus) still has a trending page.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, QuerySet
from django.utils import timezone

from paperfeed.catalogue.models import Paper

WINDOWS: dict[str, int] = {"day": 1, "week": 7, "month": 30}
DEFAULT_WINDOW = "week"
MAX_LIMIT = 200


class UnknownWindow(ValueError):
    pass


def window_bounds(window: str, now: dt.datetime | None = None) -> tuple[dt.date, dt.date] | None:
    """The (first, last) announcement days the window covers, or None with no papers."""
    if window not in WINDOWS:
        raise UnknownWindow(f"unknown window {window!r}; use one of {', '.join(WINDOWS)}")
    today = (now or timezone.now()).date()
    last = Paper.objects.filter(announced__lte=today).aggregate(last=Max("announced"))["last"]
    if last is None:
        return None
    return last - dt.timedelta(days=WINDOWS[window] - 1), last


def trending_papers(
    window: str = DEFAULT_WINDOW,
    now: dt.datetime | None = None,
    limit: int = 50,
    queryset: QuerySet[Paper] | None = None,
) -> list[Paper]:
    """Up to ``limit`` papers, best first, for the window ``day``, ``week`` or ``month``.

    ``queryset`` lets callers bring their own select_related/prefetch_related; the
    ranking only filters and orders it.
    """
    bounds = window_bounds(window, now)
    if bounds is None or limit <= 0:
        return []
    limit = min(limit, MAX_LIMIT)
    base = Paper.objects.all() if queryset is None else queryset
    first, last = bounds
    ranked = base.filter(announced__gte=first, announced__lte=last).order_by(
        "-announced", "-arxiv_id"
    )
    return list(ranked[:limit])
