"""Recommendation endpoints: stateless ``POST /api/recommendations`` (papers given in
the request, nothing stored) and ``GET /api/me/recommendations`` for the holder of a
personal API token. Both rate-limited; bad input is a 400 with a ``detail``."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from paperfeed.accounts.rates import allowed
from paperfeed.recommend import tokens
from paperfeed.recommend.feed import latest_week
from paperfeed.recommend.profile import profile_for
from paperfeed.recommend.rank import Recommendation, recommend
from paperfeed.recommend.stateless import MAX_LIMIT, BadRequest, query_from, run

router = Router(tags=["recommendations"])


class RecommendationRequest(Schema):
    positive: list[str] = Field(..., description="arXiv ids of papers the reader likes")
    negative: list[str] = Field(default_factory=list, description="arXiv ids to steer away from")
    limit: int = 20
    since: str | None = Field(None, description="announced on or after (YYYY-MM-DD)")
    until: str | None = Field(None, description="announced on or before (YYYY-MM-DD)")


class RecommendationOut(Schema):
    id: str
    title: str
    score: float
    reasons: list[str]


class RecommendationsOut(Schema):
    results: list[RecommendationOut]


def _out(found: list[Recommendation]) -> dict:
    return {
        "results": [
            {"id": r.arxiv_id, "title": r.title, "score": round(r.score, 4), "reasons": r.reasons}
            for r in found
        ]
    }


def _rate(request: HttpRequest) -> None:
    wait = allowed("recommend", request)
    if wait:
        raise HttpError(429, f"too many requests; try again in {wait} s")


@router.post("/recommendations", response=RecommendationsOut, summary="Papers like these")
def recommendations(request: HttpRequest, body: RecommendationRequest):
    """Ranks the whole catalogue (or ``since``..``until``) for the given papers; at most
    100 ids and ``limit`` up to 100. Liked and disliked papers are never returned."""
    _rate(request)
    try:
        return _out(run(query_from(body.dict())))
    except BadRequest as exc:
        raise HttpError(400, str(exc)) from None


class ApiToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        return tokens.user_for(token, tokens.API)


class MineParams(Schema):
    window: str = Field("week", pattern="^(day|week|all)$")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)


@router.get(
    "/me/recommendations",
    response=RecommendationsOut,
    auth=ApiToken(),
    summary="Your recommendations (personal API token)",
)
def my_recommendations(request: HttpRequest, params: Query[MineParams]):
    _rate(request)
    since, until = latest_week()
    if params.window == "day":
        since = until
    elif params.window == "all":
        since = until = None
    user = request.auth  # type: ignore[attr-defined]  # django-ninja sets it after authentication
    found = recommend(profile_for(user), since=since, until=until, limit=params.limit)
    return _out(found)
