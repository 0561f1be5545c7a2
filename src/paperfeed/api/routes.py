"""The API's endpoints: papers (list, one, similar), search, days, trending."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.http import HttpRequest
from django.utils.http import urlencode
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from pydantic import Field

from paperfeed.accounts.rates import limit
from paperfeed.api import schemas
from paperfeed.api.serialize import paper_detail_dict, paper_dict
from paperfeed.catalogue.days import days_with_counts
from paperfeed.catalogue.models import NEWEST_FIRST, Category
from paperfeed.community import listing
from paperfeed.search import hybrid
from paperfeed.search.filters import Filters
from paperfeed.search.hits import Hit
from paperfeed.search.similar import PaperNotFound, similar
from paperfeed.search.status import coverage
from paperfeed.sources.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.trending.ranking import WINDOWS, as_ranked, recent_window_bounds, trending_papers
from paperfeed.web import queries
from paperfeed.web.responses import cached_page

router = Router()
log = logging.getLogger("paperfeed.api")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_PAGE = 10_000


class PaperFilters(Schema):
    date: dt.date | None = Field(None, description="announcement day, YYYY-MM-DD")
    category: str | None = Field(
        None, description="primary category code, e.g. cs.CV", max_length=32
    )
    page: int = Field(1, ge=1, le=MAX_PAGE, description="page number, from 1")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="papers a page")


def _page_link(request: HttpRequest, filters: PaperFilters, page: int) -> str:
    params = {k: str(v) for k, v in request.GET.items()}
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")


def list_etag(request: HttpRequest, *args: object, **kwargs: object) -> str:
    """One day's list shows only that day's papers: keyed by its revision."""
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:  # no date (the newest of all) or one the schema will judge
        return queries.etag_for(request)
    return queries.span_etag(request, day, day)


@router.get(
    "/papers",
    response={200: schemas.PaperPage, 400: schemas.Error},
    summary="List papers",
    description="Papers newest first, optionally for one announcement day and/or one "
    "primary category. Paged with `page` and `limit` (at most 200).",
)
@decorate_view(cached_page(etag_func=list_etag))
def list_papers(request: HttpRequest, filters: Query[PaperFilters]):
    listed = listing.card_queryset()
    if filters.date is not None:
        listed = listed.filter(announced=filters.date)
    if filters.category:
        if not Category.objects.filter(code=filters.category).exists():
            raise HttpError(400, f"unknown category {filters.category!r}")
        listed = listed.filter(primary_category_id=filters.category)
    listed = listed.order_by(*NEWEST_FIRST)
    page = queries.page_of(listed, filters.page, size=filters.limit)
    return {
        "count": page.total,
        "page": page.number,
        "limit": filters.limit,
        "pages": page.pages,
        "next": _page_link(request, filters, page.number + 1) if page.has_next else None,
        "previous": (
            _page_link(request, filters, min(page.number - 1, page.pages))
            if page.has_previous
            else None
        ),
        "results": [paper_dict(p, request) for p in page.items],
    }


SEARCH_DEFAULT_LIMIT = 20
SEARCH_MAX_LIMIT = 100
SEARCH_MAX_OFFSET = 1000
SIMILAR_DEFAULT_LIMIT = 10
SIMILAR_MAX_LIMIT = 50


def _hit_dicts(hits: list[Hit], request: HttpRequest) -> list[dict]:
    """The hits' papers in hit order, each with its score and ranks."""
    papers = {p.id: p for p in listing.card_queryset().filter(id__in=[h.paper_id for h in hits])}
    return [
        {
            **paper_dict(papers[h.paper_id], request),
            "score": round(float(h.score), 6),
            "keyword_rank": h.keyword_rank,
            "semantic_rank": h.semantic_rank,
        }
        for h in hits
        if h.paper_id in papers
    ]


@router.get(
    "/papers/{path:arxiv_id}/similar",
    response={200: schemas.SimilarPapers, 400: schemas.Error, 404: schemas.Error},
    summary="Similar papers",
    description="Papers nearest to this one by meaning (embedding cosine similarity), "
    "closest first, never the paper itself. Empty while the paper is not yet indexed. "
    f"`limit` at most {SIMILAR_MAX_LIMIT}.",
)
def similar_papers(
    request: HttpRequest,
    arxiv_id: str,
    limit: int = Query(SIMILAR_DEFAULT_LIMIT, ge=1, le=SIMILAR_MAX_LIMIT),
):
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId as exc:
        raise HttpError(400, str(exc)) from None
    try:
        hits = similar(parsed.id, limit)
    except PaperNotFound:
        raise HttpError(404, f"paper {parsed.id} is not in this catalogue") from None
    return {"arxiv_id": parsed.id, "results": _hit_dicts(hits, request)}


@router.get(
    "/papers/{path:arxiv_id}",
    response={200: schemas.PaperDetail, 400: schemas.Error, 404: schemas.Error},
    summary="One paper",
    description="A paper by arXiv id: new style (2503.11677) or old style "
    "(astro-ph/0601001); a version suffix is ignored.",
)
@decorate_view(cached_page)
def get_paper(request: HttpRequest, arxiv_id: str):
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId as exc:
        raise HttpError(400, str(exc)) from None
    paper = listing.detail_queryset().filter(arxiv_id=parsed.id).first()
    if paper is None:
        raise HttpError(404, f"paper {parsed.id} is not in this catalogue")
    return paper_detail_dict(paper, request)


@router.get(
    "/days",
    response=schemas.Days,
    summary="Announcement days",
    description="Every day with announced papers and how many, newest first.",
)
@decorate_view(cached_page)
def list_days(request: HttpRequest):
    days = days_with_counts()
    return {
        "count": len(days),
        "days": [{"date": day, "count": n} for day, n in reversed(days)],
    }


class TrendingFilters(Schema):
    window: str = Field("week", pattern="^(day|week|month)$", description="day, week or month")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


@router.get(
    "/trending",
    response=schemas.Trending,
    summary="Trending papers",
    description="Papers ranked by trending score over the window: "
    "(votes + stars_gained/10 + 1) / (age_days + 2)^1.8, where stars_gained counts the "
    "code repository's new GitHub stars over the last 7 days. Each result carries the "
    "score and its parts.",
)
@decorate_view(cached_page(etag_func=queries.trending_etag))
def trending(request: HttpRequest, filters: Query[TrendingFilters]):
    assert filters.window in WINDOWS
    bounds = recent_window_bounds(filters.window)
    papers = trending_papers(filters.window, limit=filters.limit, queryset=listing.card_queryset())
    return {
        "window": filters.window,
        "first_day": bounds[0] if bounds else None,
        "last_day": bounds[1] if bounds else None,
        "results": [
            {
                **paper_dict(p, request),
                "score": t.score,
                "votes": t.votes,
                "stars": t.stars,
                "stars_gained": t.stars_gained,
                "age_hours": round(t.age_hours, 2),
            }
            for p in papers
            for t in [as_ranked(p).trending]
        ],
    }


class SearchParams(Schema):
    q: str = Field(
        "",
        description='the query: words, "phrases", prefix*, author:name, or an arXiv id',
        max_length=10_000,
    )
    mode: str = Field("hybrid", description="keyword, semantic or hybrid (both, fused)")
    category: list[str] = Field(
        default_factory=list,
        description="category code (cs.CL) or archive (cs); may repeat",
    )
    date_from: dt.date | None = Field(
        None, alias="from", description="announced on or after, YYYY-MM-DD"
    )
    date_to: dt.date | None = Field(
        None, alias="to", description="announced on or before, YYYY-MM-DD"
    )
    limit: int = Field(SEARCH_DEFAULT_LIMIT, ge=1, le=SEARCH_MAX_LIMIT)
    offset: int = Field(0, ge=0, le=SEARCH_MAX_OFFSET)


@router.get(
    "/search",
    response={200: schemas.SearchResults, 400: schemas.Error, 503: schemas.Error},
    by_alias=True,
    summary="Search papers",
    description="Papers matching `q`, best first. `mode`: `keyword` (full-text, bm25), "
    "`semantic` (embedding nearest neighbours) or `hybrid` (default; reciprocal-rank "
    "fusion of both; a query restricted to `author:`, `title:` or `abstract:` is "
    "answered by keywords alone). Filters: `category` (repeatable), `from`/`to` "
    "announcement dates (inclusive), echoed under the same names. Paged with `limit` "
    f"(at most {SEARCH_MAX_LIMIT}) and `offset`. `coverage` says how many papers have a "
    "vector yet: while background embedding is behind an import, meaning search covers "
    "only those (keyword results are always complete).",
)
def search(request: HttpRequest, params: Query[SearchParams]):
    if params.mode not in hybrid.MODES:
        raise HttpError(
            400, f"mode must be one of {', '.join(hybrid.MODES)}, not {params.mode[:40]!r}"
        )
    if params.date_from and params.date_to and params.date_from > params.date_to:
        raise HttpError(400, f"from ({params.date_from}) is after to ({params.date_to})")
    categories = tuple(c.strip() for raw in params.category for c in raw.split(",") if c.strip())
    for code in categories:
        if (
            len(code) > 32
            or not Category.objects.filter(Q(code=code) | Q(code__startswith=code + ".")).exists()
        ):
            raise HttpError(400, f"unknown category {code[:40]!r}")
    filters = Filters(categories=categories, date_from=params.date_from, date_to=params.date_to)
    if params.mode != "keyword" and (refused := limit(request, "expensive-read")) is not None:
        return refused  # embedding a query costs CPU: a generous per-IP limit
    try:
        hits = hybrid.search(
            params.q, mode=params.mode, filters=filters, limit=params.limit, offset=params.offset
        )
    except Exception:  # e.g. no embedding model installed for semantic mode
        log.exception("API search failed: mode=%s", params.mode)
        raise HttpError(503, "search is unavailable right now") from None
    return {
        "query": params.q,
        "mode": params.mode,
        "categories": list(categories),
        "from": params.date_from,
        "to": params.date_to,
        "limit": params.limit,
        "offset": params.offset,
        "coverage": coverage().as_dict(),
        "results": _hit_dicts(hits, request),
    }
