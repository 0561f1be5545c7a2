"""The one place that decides the trending order.

Papers in the window are ranked by the trending score of ``paperfeed.trending.score``
(votes and code-star growth, decayed by age). With no votes and no stars the score
reduces to announcement recency, newest first, ties by arXiv id. Callers only rely
on the signature; each returned paper carries ``paper.trending`` (a ``score.Parts``).

The window ends at the latest announcement day on or before ``now`` that the
catalogue knows, not at the wall clock: a catalogue that has not been refreshed
for a while (or a test corpus) still has a trending page.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, QuerySet
from django.utils import timezone

from paperfeed.catalogue.models import Paper
from paperfeed.trending import score as scoring
from paperfeed.trending.models import TrendingScore

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
    # A paper a reader submitted (or a curator featured) today counts for today.
    featured = TrendingScore.objects.filter(featured_on__lte=today, hidden=False).aggregate(
        last=Max("featured_on")
    )["last"]
    last = max(filter(None, [last, featured]), default=None)
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
    ranking only filters it. Three indexed queries pick the ids, one loads the papers:
    1. rows with points or a feature whose day is in the window (scored one by one);
    2. the newest ``limit + len(1)`` papers announced in the window, which all share
       their day's zero-point score, so no older unvoted paper can beat them;
    3. hidden papers (a curator's decision), excluded from both.
    """
    bounds = window_bounds(window, now)
    if bounds is None or limit <= 0:
        return []
    limit = min(limit, MAX_LIMIT)
    first, last = bounds
    reference = scoring.reference_time(last, now)

    active = {
        row[0]: row
        for row in TrendingScore.objects.filter(
            scoring.active_filter(), day__gte=first, day__lte=last, hidden=False
        ).values_list("paper_id", "day", "points", "votes", "stars", "stars_gained", "featured_on")
    }
    hidden = TrendingScore.objects.filter(hidden=True).values("paper_id")
    quiet = list(
        Paper.objects.filter(announced__gte=first, announced__lte=last)
        .exclude(pk__in=hidden)
        .order_by("-announced", "-arxiv_id")
        .values_list("pk", "arxiv_id", "announced")[: limit + len(active)]
    )
    candidates: dict[int, tuple[float, dt.date, str, scoring.Parts]] = {}
    for pk, arxiv_id, announced in quiet:
        if pk in active:
            continue
        hours = scoring.age_hours(announced, reference)
        parts = scoring.Parts(scoring.score(0, hours), 0, 0, 0, hours)
        candidates[pk] = (parts.score, announced, arxiv_id, parts)
    if active:
        ids = dict(Paper.objects.filter(pk__in=list(active)).values_list("pk", "arxiv_id"))
        for pk, (_, day, points, votes, stars, gained, featured_on) in active.items():
            hours = scoring.age_hours(day, reference)
            parts = scoring.Parts(
                scoring.score(points, hours), votes, stars, gained, hours, featured_on
            )
            candidates[pk] = (parts.score, day, ids.get(pk, ""), parts)
    ranked = sorted(candidates.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[1][2]), reverse=True)
    top = ranked[:limit]
    base = Paper.objects.all() if queryset is None else queryset
    papers = {p.pk: p for p in base.filter(pk__in=[pk for pk, _ in top])}
    result = []
    for pk, (_, _, _, parts) in top:
        paper = papers.get(pk)
        if paper is not None:
            paper.trending = parts
            result.append(paper)
    return result
