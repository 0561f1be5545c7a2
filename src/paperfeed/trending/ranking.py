"""The one place that decides the trending order.

Papers in the window are ranked by the trending score of ``paperfeed.trending.score``
(votes and code-star growth, decayed by age). With no votes and no stars the score
reduces to announcement recency, newest first, ties by arXiv id. Callers only rely
on the signature; each returned paper carries ``paper.trending`` (a ``score.Parts``,
read from Python through ``as_ranked``).

The window ends at the latest announcement day on or before ``now`` that the
catalogue knows, not at the wall clock: a catalogue that has not been refreshed
for a while (or a test corpus) still has a trending page.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Protocol, cast

from django.db import connection
from django.db.models import FloatField, Max, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from paperfeed.catalogue.models import NEWEST_FIRST, Paper
from paperfeed.catalogue.version import database_key, recent_catalogue_version
from paperfeed.community.models import PaperState
from paperfeed.community.revisions import recent_revision
from paperfeed.memo import Lru
from paperfeed.trending import score as scoring

WINDOWS: dict[str, int] = {"day": 1, "week": 7, "month": 30}
DEFAULT_WINDOW = "week"
MAX_LIMIT = 200


class UnknownWindow(ValueError):
    pass


class RankedPaper(Protocol):
    trending: scoring.Parts


def as_ranked(paper: Paper) -> RankedPaper:
    """The score's parts of a paper that ``trending_papers`` returned. Only a cast:
    the ranking sets ``trending`` as a plain attribute the model does not declare."""
    return cast(RankedPaper, paper)


def window_bounds(window: str, now: dt.datetime | None = None) -> tuple[dt.date, dt.date] | None:
    """The (first, last) announcement days the window covers, or None with no papers."""
    if window not in WINDOWS:
        raise UnknownWindow(f"unknown window {window!r}; use one of {', '.join(WINDOWS)}")
    today = (now or timezone.now()).date()
    last = Paper.objects.filter(announced__lte=today).aggregate(last=Max("announced"))["last"]
    # A paper a reader submitted (or a curator featured) today counts for today.
    featured = PaperState.objects.filter(featured_on__lte=today, hidden=False).aggregate(
        last=Max("featured_on")
    )["last"]
    last = max(filter(None, [last, featured]), default=None)
    if last is None:
        return None
    return last - dt.timedelta(days=WINDOWS[window] - 1), last


# A window's bounds move only with a new latest day or a feature on a later day: kept
# per process until the catalogue's version or the community's revision moves (each
# read at most once a second), so a page served from the cache reads neither MAX.
_bounds: Lru[tuple[str, str, dt.date], tuple[str, str], tuple[dt.date, dt.date] | None] = Lru(16)


def recent_window_bounds(window: str) -> tuple[dt.date, dt.date] | None:
    """``window_bounds(window)`` now, read again only when the data behind it moves."""
    today = timezone.now().date()
    return _bounds.current(
        (database_key(), window, today),
        (recent_catalogue_version(), recent_revision()),
        lambda: window_bounds(window),
    )


def trending_papers(
    window: str = DEFAULT_WINDOW,
    now: dt.datetime | None = None,
    limit: int = 50,
    queryset: QuerySet[Paper] | None = None,
) -> list[Paper]:
    """Up to ``limit`` papers, best first, for the window ``day``, ``week`` or ``month``.

    ``queryset`` lets callers bring their own select_related/prefetch_related; the
    ranking only filters it. Two queries pick the ids, one loads the papers:
    1. the best ``limit`` rows with points or a feature whose day is in the window,
       scored in the database: ``(points + 1) * decay(day)``, the decay of each of
       the window's (at most 30) days computed here for the current time;
    2. the newest ``limit`` papers announced in the window without points, which all
       share their day's zero-point score, so no older one of them can beat these.
    Hidden papers (a curator's decision) are left out of both.
    """
    bounds = window_bounds(window, now)
    if bounds is None or limit <= 0:
        return []
    limit = min(limit, MAX_LIMIT)
    first, last = bounds
    reference = scoring.reference_time(last, now)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    # 1 / (age_days + 2)^G for each day of the window: the only time-dependent part
    decay = {d: scoring.score(0, scoring.age_hours(d, reference)) for d in days}
    # (points + 1) * decay(day), as one CASE over the window's days (raw SQL: building
    # thirty When() expressions costs more than running the query)
    table = connection.ops.quote_name(PaperState._meta.db_table)
    cases = " ".join(f"WHEN {table}.day = %s THEN %s" for _ in decay)
    params: list = []
    for d, f in decay.items():
        params += [connection.ops.adapt_datefield_value(d), f]
    rank = RawSQL(
        f"({table}.points + 1.0) * (CASE {cases} ELSE 0.0 END)", params, output_field=FloatField()
    )
    best = list(
        PaperState.objects.filter(
            scoring.active_filter(), day__gte=first, day__lte=last, hidden=False
        )
        .annotate(rank=rank)
        .order_by("-rank", "-day", "-paper_id")
        .values_list("paper_id", flat=True)[:limit]
    )
    rows = PaperState.objects.filter(paper_id__in=best).values_list(
        "paper_id",
        "paper__arxiv_id",
        "day",
        "points",
        "votes",
        "stars",
        "stars_gained",
        "featured_on",
    )
    active = list(rows) if best else []
    # Papers without points or a feature: their score is their day's decay, so the
    # newest ``limit`` of them are the only ones that can make the list.
    quiet = list(
        Paper.objects.filter(announced__gte=first, announced__lte=last)
        .filter(
            Q(community__isnull=True)
            | Q(
                community__points__lte=0,
                community__featured_on__isnull=True,
                community__hidden=False,
            )
        )
        .order_by(*NEWEST_FIRST)
        .values_list("pk", "arxiv_id", "announced")[:limit]
    )
    candidates: dict[int, tuple[float, dt.date | None, str, scoring.Parts]] = {}
    for pk, arxiv_id, announced in quiet:
        hours = scoring.age_hours(announced, reference)
        parts = scoring.Parts(scoring.score(0, hours), 0, 0, 0, hours)
        candidates[pk] = (parts.score, announced, arxiv_id, parts)
    for pk, arxiv_id, day, points, votes, stars, gained, featured_on in active:
        hours = scoring.age_hours(day, reference)
        parts = scoring.Parts(
            scoring.score(points, hours), votes, stars, gained, hours, featured_on
        )
        candidates[pk] = (parts.score, day, arxiv_id, parts)
    ranked = sorted(candidates.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[1][2]), reverse=True)
    top = ranked[:limit]
    base = Paper.objects.all() if queryset is None else queryset
    papers = {p.pk: p for p in base.filter(pk__in=[pk for pk, _ in top])}
    result = []
    for pk, (_, _, _, parts) in top:
        paper = papers.get(pk)
        if paper is not None:
            as_ranked(paper).trending = parts
            result.append(paper)
    return result


_memo: dict[tuple, list[Paper]] = {}
MEMO_SECONDS = 60
MEMO_ENTRIES = 32


def memoised_trending(
    window: str, limit: int, queryset_factory: Callable[[], QuerySet[Paper]], version: str
) -> list[Paper]:
    """``trending_papers`` for pages, kept per process while ``version`` (the caller's
    catalogue + community state) stays the same, for at most a minute (ages move).
    The papers are shared between requests: templates only read them."""
    key = (window, limit, version, int(time.time() // MEMO_SECONDS))
    papers = _memo.get(key)
    if papers is None:
        papers = trending_papers(window, limit=limit, queryset=queryset_factory())
        if len(_memo) >= MEMO_ENTRIES:
            _memo.clear()
        _memo[key] = papers
    return papers
