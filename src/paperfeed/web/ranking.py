"""The order of the daily feed: the day's papers ranked by what readers did with them.

A day brings 300 to 500 papers; listed by category and id they are a directory, not a
feed. Like Hugging Face's daily papers, the feed puts first what readers brought or
liked, in this order of keys (each breaking the ties of the one before):

1. featured: submitted by a reader or featured by a curator for this span;
2. votes;
3. stars its code gained over the last week, then its code's stars;
4. how well it fits the signed-in reader (``reader_fit``: the recommender's score);
5. newest arXiv id first (the order arXiv announces in).

A signed-in reader with signals can ask for their own order (``FOR_YOU``): the fit
first, the keys above breaking its ties, each paper with the reason it fits.

Only the few columns the ranking needs are read for the whole span (one query of
plain tuples); cards are loaded for the papers of the page shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest

from paperfeed.catalogue.models import Paper
from paperfeed.recommend.rank import Fit, fit_of

FOR_YOU = "for-you"


@dataclass(frozen=True, slots=True)
class Entry:
    """One paper of the span with what ranks it."""

    pk: int
    arxiv_id: str
    category: str | None
    announced: dt.date | None
    featured: bool
    votes: int
    stars_gained: int
    stars: int
    fit: float = 0.0
    reason: str = ""  # why it fits the reader, shown in the reader's own order


def community_totals(papers: QuerySet[Paper]) -> Iterable[tuple]:
    """``(pk, arxiv_id, primary category, announced, votes, stars, stars_gained,
    featured_on)`` for each paper of ``papers``, in one query.

    The one place the feed reads the community's totals (the paper's ``PaperState``,
    joined in the same query), so the ranking does not care where they live."""
    return papers.order_by().values_list(
        "pk",
        "arxiv_id",
        "primary_category_id",
        "announced",
        "community__votes",
        "community__stars",
        "community__stars_gained",
        "community__featured_on",
    )


def reader_fit(request: HttpRequest | None, paper_ids: list[int]) -> dict[int, Fit]:
    """How well each paper fits the signed-in reader, higher is better (the fourth
    key): the recommender's score of each. Empty for visitors and for readers who
    gave no signal; papers left out score 0."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return fit_of(user, paper_ids)


def entries(
    papers: QuerySet[Paper],
    first: dt.date,
    last: dt.date,
    request: HttpRequest | None = None,
    order: str = "",
) -> list[Entry]:
    """The papers of ``papers`` ranked (see the module's docstring); ``order`` is
    ``FOR_YOU`` for the reader's own order, anything else for the default one."""
    rows = list(community_totals(papers))
    fit = reader_fit(request, [row[0] for row in rows]) if rows else {}
    none = Fit(0.0)
    ranked = [
        Entry(
            pk=pk,
            arxiv_id=arxiv_id,
            category=category,
            announced=announced,
            featured=featured_on is not None and first <= featured_on <= last,
            votes=votes or 0,
            stars_gained=max(gained or 0, 0),
            stars=stars or 0,
            fit=fit.get(pk, none).score,
            reason=fit.get(pk, none).reason if order == FOR_YOU else "",
        )
        for pk, arxiv_id, category, announced, votes, stars, gained, featured_on in rows
    ]
    ranked.sort(key=newest_first, reverse=True)  # the last key first: sorts are stable
    ranked.sort(key=sort_key)
    if order == FOR_YOU:
        ranked.sort(key=lambda entry: -entry.fit)  # stable: the default order breaks ties
    return ranked


def sort_key(entry: Entry) -> tuple:
    """Ascending sort key of the first four keys of the module's docstring, best first
    (the fifth, newest first, is the order ``entries`` sorts by before this one)."""
    return (not entry.featured, -entry.votes, -entry.stars_gained, -entry.stars, -entry.fit)


def newest_first(entry: Entry) -> tuple[bool, str]:
    """Sorted in reverse, newer ids first: new-style ids (2503.15321) by their digits,
    then old-style ones (astro-ph/0601001)."""
    return "/" not in entry.arxiv_id, entry.arxiv_id


def has_signal(entry: Entry) -> bool:
    """Whether anything but the default order placed this paper."""
    return entry.featured or entry.votes > 0 or entry.stars_gained > 0 or entry.fit > 0


def grouped(ranked: list[Entry], by: str) -> list[Entry]:
    """The ranked papers grouped, each group keeping the ranking: ``category``, the
    largest category first (ties by code); ``day``, the newest day first."""
    if by == "category":
        sizes: dict[str | None, int] = {}
        for entry in ranked:
            sizes[entry.category] = sizes.get(entry.category, 0) + 1
        order = {
            code: i
            for i, code in enumerate(sorted(sizes, key=lambda c: (c is None, -sizes[c], c or "")))
        }
        return sorted(ranked, key=lambda e: order[e.category])  # stable: ranks kept
    days = sorted({e.announced for e in ranked if e.announced}, reverse=True)
    order_day = {day: i for i, day in enumerate(days)}
    return sorted(ranked, key=lambda e: order_day[e.announced] if e.announced else len(days))
