"""Writing a paper's community state (``PaperState``): the only way it changes.

Votes, submissions, curation and comments in this app call these functions; code
star counts arrive through ``paperfeed.codelinks.signals.stars_changed`` (received
in ``CommunityConfig.ready``); new papers get their row from the catalogue's
``papers_changed``. Every write moves ``updated_at`` and touches the days the papers
count for (``paperfeed.community.revisions``), so the revisions page caches and ETags
key on follow without anyone having to remember them.

Readers elsewhere (trending, pages, the API) read ``PaperState`` rows and the
revisions; they never write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from paperfeed.catalogue.models import Paper
from paperfeed.codelinks.stars import stars_by_paper
from paperfeed.community.models import Feature, PaperState, Submission, Vote
from paperfeed.community.revisions import days_of, touch, touch_all

# ``STARS_PER_VOTE`` new stars of a paper's code weigh as much as one vote: stars are
# cheaper, off-site, and a famous repository would otherwise drown the votes.
STARS_PER_VOTE = 10.0


def points_for(votes: int, stars_gained: int) -> float:
    """The stored ``points``: votes plus star growth, in votes."""
    return votes + max(stars_gained, 0) / STARS_PER_VOTE


def ensure_rows(paper_ids: list[int]) -> None:
    """A state row for each of these papers (day = announcement day)."""
    if not paper_ids:
        return
    existing = set(
        PaperState.objects.filter(paper_id__in=paper_ids).values_list("paper_id", flat=True)
    )
    missing = [pk for pk in paper_ids if pk not in existing]
    if not missing:
        return
    days = dict(Paper.objects.filter(pk__in=missing).values_list("pk", "announced"))
    PaperState.objects.bulk_create(
        [PaperState(paper_id=pk, day=days.get(pk)) for pk in missing if pk in days],
        ignore_conflicts=True,
        batch_size=1000,
    )


def add_votes(paper_id: int, delta: int) -> None:
    """Count ``delta`` votes (+1 or -1) in the paper's row, atomically."""
    ensure_rows([paper_id])
    PaperState.objects.filter(paper_id=paper_id).update(
        votes=F("votes") + delta, points=F("points") + delta, updated_at=timezone.now()
    )
    touch(days_of([paper_id]))


def set_featured(paper_id: int, day: dt.date | None) -> None:
    """Make the paper count for ``day`` (a submission or a curator's feature)."""
    ensure_rows([paper_id])
    row = PaperState.objects.select_related("paper").get(paper_id=paper_id)
    before = [row.day, row.featured_on]  # the pages it leaves change too
    row.featured_on = day
    row.day = max(filter(None, [day, row.paper.announced]), default=None)
    row.save(update_fields=["featured_on", "day", "updated_at"])
    touch([*before, row.day, row.featured_on, row.paper.announced])


def refresh_feature(paper_id: int) -> None:
    """Recompute the day a paper counts for from its remaining submission/features."""
    days = list(Feature.objects.filter(paper_id=paper_id).values_list("day", flat=True))
    days += list(Submission.objects.filter(paper_id=paper_id).values_list("day", flat=True))
    set_featured(paper_id, max(days) if days else None)


def set_hidden(paper_id: int, hidden: bool) -> None:
    """A curator's decision: hidden papers leave every list and the trending ranking."""
    ensure_rows([paper_id])
    PaperState.objects.filter(paper_id=paper_id).update(hidden=hidden, updated_at=timezone.now())
    touch(days_of([paper_id]))


def changed(paper_ids: Iterable[int], *, create: bool = True) -> None:
    """Something these papers' pages show changed outside their totals (a reader's
    comment posted, deleted, hidden or unhidden): move their rows' ``updated_at`` and
    touch their days, so the revisions, and with them the ETags of the pages that show
    them, change. ``create=False`` moves only existing rows (while a paper itself may
    be going)."""
    ids = list(paper_ids)
    if not ids:
        return
    if create:
        ensure_rows(ids)
    PaperState.objects.filter(paper_id__in=ids).update(updated_at=timezone.now())
    touch(days_of(ids))


def set_stars(paper_stars: dict[int, tuple[int, int]]) -> None:
    """Store (stars, stars_gained) for these papers and their new points."""
    ensure_rows(list(paper_stars))
    rows = list(PaperState.objects.filter(paper_id__in=list(paper_stars)))
    now = timezone.now()
    for row in rows:
        row.stars, row.stars_gained = paper_stars[row.paper_id]
        row.points = points_for(row.votes, row.stars_gained)
        row.updated_at = now
    PaperState.objects.bulk_update(
        rows, ["stars", "stars_gained", "points", "updated_at"], batch_size=500
    )
    touch(days_of(paper_stars))


def recount_votes(paper_ids: list[int]) -> None:
    """Votes counted again from the vote table (after an account's votes are deleted)."""
    ensure_rows(paper_ids)
    counts = dict(
        Vote.objects.filter(paper_id__in=paper_ids)
        .order_by()
        .values_list("paper_id")
        .annotate(n=Count("*"))
    )
    rows = list(PaperState.objects.filter(paper_id__in=paper_ids))
    for row in rows:
        row.votes = counts.get(row.paper_id, 0)
        row.points = points_for(row.votes, row.stars_gained)
        row.updated_at = timezone.now()
    PaperState.objects.bulk_update(rows, ["votes", "points", "updated_at"], batch_size=500)
    touch(days_of(paper_ids))


def on_papers_changed(sender, paper_ids=None, **kwargs) -> None:
    """New papers get their row. A featured paper that changed in the catalogue (a new
    version, say) touches the days it counts for: the feed of the day it was featured
    on shows its card, and that day's own catalogue version (``catalogue.version``,
    which counts the papers announced on it) does not move with it."""
    ids = list(paper_ids or [])
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        try:
            ensure_rows(chunk)
        except IntegrityError:  # a paper deleted meanwhile; the next recompute fixes it
            continue
        featured = PaperState.objects.filter(paper_id__in=chunk, featured_on__isnull=False)
        featured_ids = list(featured.values_list("paper_id", flat=True))
        if featured_ids:
            touch(days_of(featured_ids))


def on_stars_changed(sender, paper_stars=None, **kwargs) -> None:
    """``codelinks.signals.stars_changed``: new (stars, stars gained) per paper."""
    if paper_stars:
        set_stars(dict(paper_stars))


def recompute(batch_size: int = 5000) -> int:
    """Rebuild every row from the vote, submission, feature and star tables, keeping
    the curators' hidden flags (``paperfeed trending recompute``).

    Returns the number of rows written. Papers without any signal get a row too,
    so the daily feed's cards and the trending page read the same table."""
    votes = dict(
        Vote.objects.order_by()
        .values_list("paper_id")
        .annotate(n=Count("*"))
        .values_list("paper_id", "n")
    )
    featured: dict[int, dt.date] = {}
    for model in (Submission, Feature):
        for paper_id, day in model.objects.values_list("paper_id", "day"):
            featured[paper_id] = max(day, featured.get(paper_id, day))  # the latest wins
    hidden = set(PaperState.objects.filter(hidden=True).values_list("paper_id", flat=True))
    stars = stars_by_paper()
    written = 0
    now = timezone.now()
    with transaction.atomic():
        PaperState.objects.all().delete()
        rows: list[PaperState] = []
        for pk, announced in (
            Paper.objects.order_by("pk")
            .values_list("pk", "announced")
            .iterator(chunk_size=batch_size)
        ):
            n = votes.get(pk, 0)
            star_count, gained = stars.get(pk, (0, 0))
            feature = featured.get(pk)
            rows.append(
                PaperState(
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
                PaperState.objects.bulk_create(rows)
                written += len(rows)
                rows = []
        PaperState.objects.bulk_create(rows)
        written += len(rows)
        touch_all()
    return written


def visible_filter(prefix: str = "") -> Q:
    """Papers that lists may show: all but those a curator hid (a paper without a
    state row is visible). ``prefix`` reaches the paper through a relation."""
    return Q(**{f"{prefix}community__isnull": True}) | Q(**{f"{prefix}community__hidden": False})


def votes_of(paper: Paper) -> int:
    """The paper's vote total: from the ranking's parts or the state row it was
    loaded with (``select_related("community")``), else one query."""
    parts = getattr(paper, "trending", None)
    if parts is not None:
        return int(parts.votes)
    cached = paper._state.fields_cache
    if "community" in cached:
        row = cached["community"]
        return row.votes if row is not None else 0
    value = PaperState.objects.filter(paper_id=paper.pk).values_list("votes", flat=True).first()
    return value or 0
