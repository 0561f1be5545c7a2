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
page computes the current score exactly at read time from the cached points
(``TrendingScore``) without ever re-scoring the whole catalogue as time passes:
papers with points (few) are scored one by one; papers without points all share
their day's score, so the newest ``limit`` of them are the only candidates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from paperfeed.catalogue.models import Paper
from paperfeed.memo import Recent
from paperfeed.trending.models import TrendingScore

GRAVITY = 1.8
STARS_PER_VOTE = 10.0
STAR_WINDOW_DAYS = 7


def score(points: float, age_hours: float) -> float:
    """The trending score of a paper with ``points`` that is ``age_hours`` old."""
    return (max(points, 0.0) + 1.0) / (max(age_hours, 0.0) / 24.0 + 2.0) ** GRAVITY


def points_for(votes: int, stars_gained: int) -> float:
    return votes + max(stars_gained, 0) / STARS_PER_VOTE


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
    """The score and its parts for one paper (the paper page). Uses the trending row
    the paper was loaded with (``select_related("trending_score")``) when it was, and
    ``last_day`` (the catalogue's last announcement day) when the caller knows it."""
    cached = paper._state.fields_cache
    if "trending_score" in cached:
        row = cached["trending_score"]
    else:
        row = TrendingScore.objects.filter(paper_id=paper.pk).first()
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


# --- keeping the cached rows in step ---------------------------------------------------


def ensure_rows(paper_ids: list[int]) -> None:
    """A TrendingScore row for each of these papers (day = announcement day)."""
    if not paper_ids:
        return
    existing = set(
        TrendingScore.objects.filter(paper_id__in=paper_ids).values_list("paper_id", flat=True)
    )
    missing = [pk for pk in paper_ids if pk not in existing]
    if not missing:
        return
    days = dict(Paper.objects.filter(pk__in=missing).values_list("pk", "announced"))
    TrendingScore.objects.bulk_create(
        [TrendingScore(paper_id=pk, day=days.get(pk)) for pk in missing if pk in days],
        ignore_conflicts=True,
        batch_size=1000,
    )


def add_votes(paper_id: int, delta: int) -> None:
    """Count ``delta`` votes (+1 or -1) in the cached row, atomically."""
    ensure_rows([paper_id])
    TrendingScore.objects.filter(paper_id=paper_id).update(
        votes=F("votes") + delta, points=F("points") + delta, updated_at=timezone.now()
    )
    forget_recent_revision()


def set_featured(paper_id: int, day: dt.date | None) -> None:
    """Make the paper count for ``day`` (a submission or a curator's feature)."""
    ensure_rows([paper_id])
    row = TrendingScore.objects.select_related("paper").get(paper_id=paper_id)
    row.featured_on = day
    row.day = max(filter(None, [day, row.paper.announced]), default=None)
    row.save(update_fields=["featured_on", "day", "updated_at"])


def set_hidden(paper_id: int, hidden: bool) -> None:
    ensure_rows([paper_id])
    TrendingScore.objects.filter(paper_id=paper_id).update(hidden=hidden, updated_at=timezone.now())
    forget_recent_revision()


def touch(paper_ids: list[int]) -> None:
    """Something these papers' pages show changed outside their scores (a reader's
    comment posted, deleted, hidden or unhidden): move their rows' ``updated_at`` so
    ``revision()``, and with it every page ETag, changes. One UPDATE by primary key.
    A caller inside a transaction forgets the revision again once it commits, so a
    page rendered by this process meanwhile does not keep the old one."""
    if not paper_ids:
        return
    ensure_rows(paper_ids)
    TrendingScore.objects.filter(paper_id__in=paper_ids).update(updated_at=timezone.now())
    forget_recent_revision()


def set_stars(paper_stars: dict[int, tuple[int, int]]) -> None:
    """Store (stars, stars_gained) for these papers and their new points."""
    ensure_rows(list(paper_stars))
    rows = list(TrendingScore.objects.filter(paper_id__in=list(paper_stars)))
    now = timezone.now()
    for row in rows:
        row.stars, row.stars_gained = paper_stars[row.paper_id]
        row.points = points_for(row.votes, row.stars_gained)
        row.updated_at = now
    TrendingScore.objects.bulk_update(
        rows, ["stars", "stars_gained", "points", "updated_at"], batch_size=500
    )


def recount_votes(paper_ids: list[int]) -> None:
    """Votes counted again from the vote table (after an account's votes are deleted)."""
    from paperfeed.community.models import Vote

    ensure_rows(paper_ids)
    counts = dict(
        Vote.objects.filter(paper_id__in=paper_ids)
        .order_by()
        .values_list("paper_id")
        .annotate(n=Count("id"))
    )
    rows = list(TrendingScore.objects.filter(paper_id__in=paper_ids))
    for row in rows:
        row.votes = counts.get(row.paper_id, 0)
        row.points = points_for(row.votes, row.stars_gained)
        row.updated_at = timezone.now()
    TrendingScore.objects.bulk_update(rows, ["votes", "points", "updated_at"], batch_size=500)


def on_papers_changed(sender, paper_ids=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """New papers get their row; a paper whose announcement moved gets its day back."""
    ids = list(paper_ids or [])
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        try:
            ensure_rows(chunk)
        except IntegrityError:  # a paper deleted meanwhile; the next recompute fixes it
            continue


def recompute(batch_size: int = 5000) -> int:
    """Rebuild every row from the vote, submission, curation and star tables.

    Returns the number of rows written. Papers without any signal get a row too,
    so the daily feed's cards and the trending page read the same table."""
    from paperfeed.codelinks.stars import stars_by_paper
    from paperfeed.community.models import Feature, Submission, Vote

    votes = dict(
        Vote.objects.order_by()
        .values_list("paper_id")
        .annotate(n=Count("id"))
        .values_list("paper_id", "n")
    )
    featured: dict[int, dt.date] = {}
    for model in (Submission, Feature):
        for paper_id, day in model.objects.values_list("paper_id", "day"):
            featured[paper_id] = max(day, featured.get(paper_id, day))  # the latest wins
    hidden = set(TrendingScore.objects.filter(hidden=True).values_list("paper_id", flat=True))
    stars = stars_by_paper()
    written = 0
    now = timezone.now()
    with transaction.atomic():
        TrendingScore.objects.all().delete()
        rows: list[TrendingScore] = []
        for pk, announced in (
            Paper.objects.order_by("pk")
            .values_list("pk", "announced")
            .iterator(chunk_size=batch_size)
        ):
            n = votes.get(pk, 0)
            star_count, gained = stars.get(pk, (0, 0))
            feature = featured.get(pk)
            rows.append(
                TrendingScore(
                    paper_id=pk,
                    day=max(filter(None, [announced, feature]), default=None),
                    featured_on=feature,
                    votes=n,
                    stars=star_count,
                    stars_gained=gained,
                    points=points_for(n, gained),
                    hidden=pk in hidden,
                    updated_at=now,
                )
            )
            if len(rows) >= batch_size:
                TrendingScore.objects.bulk_create(rows)
                written += len(rows)
                rows = []
        TrendingScore.objects.bulk_create(rows)
        written += len(rows)
    return written


def revision() -> str:
    """Changes whenever any cached row does (for ETags of pages that show votes, and
    comments: their writes ``touch`` the paper's row). One read of an indexed MAX."""
    latest = TrendingScore.objects.aggregate(latest=Max("updated_at"))["latest"]
    return latest.isoformat() if latest else "-"


# Read at most once a second per process (for page ETags); ``forget`` after a write
# in this process, so the writer's next page shows it.
_recent_revision = Recent(lambda: revision())
recent_revision = _recent_revision.__call__
forget_recent_revision = _recent_revision.forget


def active_filter() -> Q:
    return Q(points__gt=0) | Q(featured_on__isnull=False)
