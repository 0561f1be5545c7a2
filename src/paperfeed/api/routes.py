"""The API's endpoints: papers (list, one), days, trending."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.http import urlencode
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from paperfeed.api import schemas
from paperfeed.api.serialize import paper_detail_dict, paper_dict
from paperfeed.catalogue.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.catalogue.models import NEWEST_FIRST, Category
from paperfeed.trending.ranking import WINDOWS, trending_papers, window_bounds
from paperfeed.web import queries

router = Router()

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
    params = {k: v for k, v in request.GET.items()}
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")


@router.get(
    "/papers",
    response={200: schemas.PaperPage, 400: schemas.Error},
    summary="List papers",
    description="Papers newest first, optionally for one announcement day and/or one "
    "primary category. Paged with `page` and `limit` (at most 200).",
)
def list_papers(request: HttpRequest, filters: Query[PaperFilters]):  # type: ignore[no-untyped-def]
    listed = queries.card_queryset()
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


@router.get(
    "/papers/{path:arxiv_id}",
    response={200: schemas.PaperDetail, 400: schemas.Error, 404: schemas.Error},
    summary="One paper",
    description="A paper by arXiv id: new style (2503.11677) or old style "
    "(astro-ph/0601001); a version suffix is ignored.",
)
def get_paper(request: HttpRequest, arxiv_id: str):  # type: ignore[no-untyped-def]
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId as exc:
        raise HttpError(400, str(exc)) from None
    paper = queries.detail_queryset().filter(arxiv_id=parsed.id).first()
    if paper is None:
        raise HttpError(404, f"paper {parsed.id} is not in this catalogue")
    return paper_detail_dict(paper, request)


@router.get(
    "/days",
    response=schemas.Days,
    summary="Announcement days",
    description="Every day with announced papers and how many, newest first.",
)
def list_days(request: HttpRequest):  # type: ignore[no-untyped-def]
    days = queries.days_with_counts()
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
def trending(request: HttpRequest, filters: Query[TrendingFilters]):  # type: ignore[no-untyped-def]
    assert filters.window in WINDOWS
    bounds = window_bounds(filters.window)
    papers = trending_papers(filters.window, limit=filters.limit, queryset=queries.card_queryset())
    return {
        "window": filters.window,
        "first_day": bounds[0] if bounds else None,
        "last_day": bounds[1] if bounds else None,
        "results": [
            {
                **paper_dict(p, request),
                "score": p.trending.score,
                "votes": p.trending.votes,
                "stars": p.trending.stars,
                "stars_gained": p.trending.stars_gained,
                "age_hours": round(p.trending.age_hours, 2),
            }
            for p in papers
        ],
    }
