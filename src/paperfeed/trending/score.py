"""The trending score: community votes and code-star growth, decayed by age.

    points = votes + stars_gained / STARS_PER_VOTE
    score  = (points + 1) / (age_days + 2) ** GRAVITY          GRAVITY = 1.8

- ``votes``: upvotes by accounts here (one per account and paper).
- ``stars_gained``: stars the paper's code repository gained over the last 7 days
  (from our daily star snapshots); ``STARS_PER_VOTE = 10`` new stars weigh as much as
  one vote: stars are cheaper, off-site, and a famous repository would otherwise
  drown the votes.
- ``age_days``: time since the day the paper counts for (its announcement day, or
  the day a reader submitted or a curator featured it), measured from the end of the
  catalogue's latest day (so a catalogue that is not refreshed daily still ranks).

Why Hacker News gravity and not Reddit's hot. Reddit's ``log10(max(|s|,1)) + t/45000``
is time-invariant (scores never need recomputing, so they index well) but its decay
is exponential: every 12.5 hours a paper needs 10x the votes to keep its place,
so a "this month" list would be nothing but the newest papers. HN's
``(p-1)/(t+2)^1.8`` decays polynomially: with ``t`` in days (papers stay interesting
for days, arXiv lists once a day) a week-old paper needs ~6x and a month-old one ~70x
the points of a fresh one, which is what day/week/month windows want. We use ``p+1``
instead of HN's ``p-1`` (there is no self-vote to remove): an unvoted paper scores
``1/(t+2)^1.8``, so with no votes at all the order is exactly "newest first", ties
broken by arXiv id.

The decay depends only on the day, and a window spans at most 30 days, so the
page computes the current score exactly at read time from the stored points (the
community's ``PaperState``, which trending only reads) without ever re-scoring the
whole catalogue as time passes:
papers with points (few) are scored one by one; papers without points all share
their day's score, so the newest ``limit`` of them are the only candidates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone

from paperfeed.catalogue.models import Paper
from paperfeed.community.models import PaperState
from paperfeed.community.state import STARS_PER_VOTE, points_for

__all__ = [
    "GRAVITY",
    "STARS_PER_VOTE",  # the weight of stars is the community's (it stores the points)
    "Parts",
    "active_filter",
    "age_hours",
    "parts_for",
    "points_for",
    "reference_time",
    "score",
]

GRAVITY = 1.8


def score(points: float, age_hours: float) -> float:
    """The trending score of a paper with ``points`` that is ``age_hours`` old."""
    return (max(points, 0.0) + 1.0) / (max(age_hours, 0.0) / 24.0 + 2.0) ** GRAVITY


@dataclass(frozen=True)
class Parts:
    """What a score is made of, for the paper page and the API."""

    score: float
    votes: int
    stars: int
    stars_gained: int
    age_hours: float
    featured_on: dt.date | None = None

    @property
    def age_days(self) -> int:
        return int(self.age_hours // 24)


def reference_time(last_day: dt.date | None, now: dt.datetime | None = None) -> dt.datetime:
    """Ages are measured to ``now``, but never past the end of the catalogue's last day."""
    now = now or timezone.now()
    if last_day is None:
        return now
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return min(now, end)


def age_hours(day: dt.date | None, reference: dt.datetime) -> float:
    if day is None:
        return 0.0
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return max(0.0, (reference - start).total_seconds() / 3600)


def parts_for(
    paper: Paper,
    now: dt.datetime | None = None,
    *,
    last_day: dt.date | None = None,
) -> Parts:
    """The score and its parts for one paper (the paper page). Uses the state row
    the paper was loaded with (``select_related("community")``) when it was, and
    ``last_day`` (the catalogue's last announcement day) when the caller knows it."""
    cached = paper._state.fields_cache
    if "community" in cached:
        row = cached["community"]
    else:
        row = PaperState.objects.filter(paper_id=paper.pk).first()
    day = (row.day if row and row.day else None) or paper.announced
    if day is None and paper.submitted:
        day = paper.submitted.date()
    last = last_day or Paper.objects.aggregate(last=Max("announced"))["last"]
    reference = reference_time(max(filter(None, [last, day]), default=None), now)
    hours = age_hours(day, reference)
    points = row.points if row else 0.0
    return Parts(
        score=score(points, hours),
        votes=row.votes if row else 0,
        stars=row.stars if row else 0,
        stars_gained=row.stars_gained if row else 0,
        age_hours=hours,
        featured_on=row.featured_on if row else None,
    )


def active_filter() -> Q:
    return Q(points__gt=0) | Q(featured_on__isnull=False)
