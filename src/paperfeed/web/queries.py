"""What pages, the Atom feeds and the JSON API add to the reads below them: ETags,
paging and category aggregates (cached under a key that changes whenever the
catalogue does). The lists themselves come from ``paperfeed.community.listing``
(visible papers with their card data), the days from ``paperfeed.catalogue.days``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from paperfeed.catalogue.days import cached_by_version
from paperfeed.catalogue.models import Category, Paper
from paperfeed.catalogue.version import recent_catalogue_version, recent_span_version
from paperfeed.community.revisions import recent_revision as recent_community_revision
from paperfeed.community.revisions import recent_span_revision
from paperfeed.recommend.signals import dismissed, reader_revision
from paperfeed.trending.ranking import DEFAULT_WINDOW, WINDOWS, recent_window_bounds

PaperQuerySet = TypeVar("PaperQuerySet", bound=QuerySet[Paper])

PAGE_SIZE = 50
CARD_AUTHORS = 4  # authors shown on a card before "et al."


def etag_for(
    request, *args, extra: str = "", catalogue: str = "", community: str = "", **kwargs
) -> str:
    """ETag of a page or feed: the catalogue's version (``catalogue``: a span's, for a
    page that lists only the papers of those days) plus the exact request (host
    included: feeds carry absolute URLs; the session too, for pages that show
    per-reader bits), the community's revision (``community``: a span's, for a page
    that lists only the papers of those days; else the whole community's), the
    signed-in reader's own revision (what they told the recommender: buttons, follows,
    their order and hidden papers) and whatever else the page shows (``extra``).
    Memoised on the request, which asks twice."""
    memo = getattr(request, "_paperfeed_etag", None)
    if memo is None:
        session = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
        raw = "|".join(
            (
                catalogue or recent_catalogue_version(),
                request.scheme,
                request.get_host(),
                request.get_full_path(),
                session,
                community or recent_community_revision(),
                reader_revision(getattr(request, "user", None)),
                extra,
            )
        )
        memo = hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
        request._paperfeed_etag = memo
    return memo


def span_etag(request: HttpRequest, first: dt.date, last: dt.date, extra: str = "") -> str:
    """ETag of a page that lists only papers counting for the days ``first`` to
    ``last`` (a day's feed, one day of the API): keyed by those days' catalogue version
    and community revision, so papers imported into other days, and votes on their
    papers, leave it cached. A signed-in reader's page also says how each paper fits
    them, which the recommender works out from vectors anywhere in the catalogue: theirs
    keeps the whole catalogue's version (their pages are not kept in the page cache;
    the ETag only answers their browser's conditional requests)."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return etag_for(
        request,
        extra=extra,
        catalogue="" if signed_in else recent_span_version(first, last),
        community=recent_span_revision(first, last),
    )


def trending_etag(request: HttpRequest, *args: object, **kwargs: object) -> str:
    """ETag of a trending list (the page, the API's): its window's days' state only, as
    a day's feed. A paper counts for trending on the days it counts for in a feed (its
    announcement, its state's day, its feature), whose revisions its votes, stars and
    features move; so papers imported into older days (a backfill), and votes on
    papers outside the window, leave the list cached. Its bounds move with a new
    latest day or a feature on a later one, and the key with them. An unknown window
    (an error page) or an empty catalogue is keyed as any other page."""
    window = request.GET.get("window") or DEFAULT_WINDOW
    bounds = recent_window_bounds(window) if window in WINDOWS else None
    if bounds is None:
        return etag_for(request)
    return span_etag(request, *bounds)


def category_counts() -> dict[str, int]:
    """Papers per primary category over the whole catalogue (cached; ``COUNT(*)``
    reads the category index alone, as ``catalogue.days.days_with_counts`` does)."""

    def compute() -> dict[str, int]:
        rows = (
            Paper.objects.filter(primary_category__isnull=False)
            .order_by()
            .values_list("primary_category")
            .annotate(n=Count("*"))
        )
        return dict(rows)

    return cached_by_version("category-counts", compute)


def category_names() -> dict[str, str]:
    return cached_by_version(
        "category-names", lambda: dict(Category.objects.values_list("code", "name"))
    )


@dataclass
class Page:
    """One page of a list: a slice, its number and whether neighbours exist."""

    items: list
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def end(self) -> int:
        return min(self.number * self.size, self.total)


def page_of(
    queryset: QuerySet, number: int, total: int | None = None, size: int = PAGE_SIZE
) -> Page:
    if total is None:
        total = queryset.count()
    offset = (number - 1) * size
    items = list(queryset[offset : offset + size]) if offset < total else []
    return Page(items, number, total, size)


def dismissed_ids(request) -> set[int]:
    """The papers the signed-in reader marked "not interested" (none for a visitor):
    they leave the reader's lists, not only For you."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return set()
    return set(dismissed(user).values_list("paper_id", flat=True))


def without_dismissed(request, papers: PaperQuerySet) -> PaperQuerySet:
    """``papers`` less those the signed-in reader marked "not interested"."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return papers
    return papers.exclude(pk__in=dismissed(user))
