"""Response shapes of the JSON API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class Version(Schema):
    version: int
    submitted: dt.datetime | None = None
    size: str = ""


class Paper(Schema):
    arxiv_id: str
    title: str
    authors: list[str]
    abstract: str
    primary_category: str | None
    categories: list[str]
    announced: dt.date | None
    submitted: dt.datetime | None
    updated: dt.datetime | None
    latest_version: int | None
    comments: str
    journal_ref: str
    doi: str
    abs_url: str
    pdf_url: str
    url: str


class PaperDetail(Paper):
    versions: list[Version]
    report_no: str
    license: str


class PaperPage(Schema):
    count: int
    page: int
    limit: int
    pages: int
    next: str | None
    previous: str | None
    results: list[Paper]


class Day(Schema):
    date: dt.date
    count: int


class Days(Schema):
    count: int
    days: list[Day]


class TrendingPaper(Paper):
    """A paper with its trending score and the parts it is made of
    (see ``paperfeed.trending.score``)."""

    score: float
    votes: int
    stars: int
    stars_gained: int
    age_hours: float


class Trending(Schema):
    window: str
    first_day: dt.date | None
    last_day: dt.date | None
    results: list[TrendingPaper]


class Error(Schema):
    detail: str


class SearchResult(Paper):
    """A paper with its place in a search answer: ``score`` orders the results
    (higher is better); the ranks say where keyword and semantic search placed it
    (1-based; null when that method did not find it or was not used)."""

    score: float
    keyword_rank: int | None
    semantic_rank: int | None


class SearchCoverage(Schema):
    """How much of the catalogue each half of search covers: keyword rows are written
    with the papers; vectors follow in background workers. ``notice`` says so while
    they are behind (null once every paper has a vector)."""

    papers: int
    embedded: int
    notice: str | None


class SearchResults(Schema):
    query: str
    mode: str
    categories: list[str]
    # The names the request takes: ``from`` and ``to``.
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    limit: int
    offset: int
    coverage: SearchCoverage
    results: list[SearchResult]


class SimilarPapers(Schema):
    arxiv_id: str
    results: list[SearchResult]
