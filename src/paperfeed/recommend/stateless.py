"""Recommendations for papers given directly (the CLI and ``POST /api/recommendations``):
validation shared by both, so they refuse the same input with the same words."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from paperfeed.catalogue.models import Paper
from paperfeed.recommend.profile import Profile
from paperfeed.recommend.rank import Recommendation, recommend
from paperfeed.sources.ids import InvalidArxivId, parse_arxiv_id

MAX_IDS = 100  # liked and disliked together
MAX_LIMIT = 100


class BadRequest(ValueError):
    """Input the recommender refuses; the message says which value and why."""


@dataclass(frozen=True)
class Query:
    like: tuple[str, ...]
    dislike: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    limit: int = 20


def parse_date(value: object, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BadRequest(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def query_from(data: dict) -> Query:
    """A query from JSON-like input (``like``/``positive``, ``dislike``/``negative``,
    ``since``, ``until``, ``limit``)."""
    if not isinstance(data, dict):
        raise BadRequest('expected an object such as {"like": ["2503.01234"]}')
    like = data.get("like", data.get("positive", []))
    dislike = data.get("dislike", data.get("negative", []))
    for name, value in (("like", like), ("dislike", dislike)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise BadRequest(f"{name}: expected a list of arXiv ids")
    limit = data.get("limit", 20)
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise BadRequest(f"limit: {limit!r} is not a whole number")
    return Query(
        tuple(like),
        tuple(dislike),
        parse_date(data.get("since"), "since"),
        parse_date(data.get("until"), "until"),
        limit,
    )


def run(query: Query) -> list[Recommendation]:
    """Validate and rank. Raises :class:`BadRequest` for unknown or malformed ids,
    too many ids, a bad limit or an empty window."""
    if not query.like:
        raise BadRequest("like: give at least one arXiv id")
    if len(query.like) + len(query.dislike) > MAX_IDS:
        raise BadRequest(
            f"too many ids: {len(query.like) + len(query.dislike)} (at most {MAX_IDS})"
        )
    if not 1 <= query.limit <= MAX_LIMIT:
        raise BadRequest(f"limit: {query.limit} is not between 1 and {MAX_LIMIT}")
    if query.since and query.until and query.since > query.until:
        raise BadRequest(f"since {query.since} is after until {query.until}")
    like = _resolve(query.like, "like")
    dislike = _resolve(query.dislike, "dislike")
    profile = Profile(
        positive={pk: "given" for pk in like if pk not in dislike},
        negative=list(dislike),
    )
    return recommend(profile, since=query.since, until=query.until, limit=query.limit)


def _resolve(ids: tuple[str, ...], name: str) -> list[int]:
    keys: list[str] = []
    for raw in ids:
        try:
            keys.append(parse_arxiv_id(raw).id)
        except InvalidArxivId as exc:
            raise BadRequest(f"{name}: {exc}") from None
    found = dict(Paper.objects.filter(arxiv_id__in=keys).values_list("arxiv_id", "id"))
    unknown = [k for k in keys if k not in found]
    if unknown:
        raise BadRequest(f"{name}: not in the catalogue: {', '.join(unknown)}")
    return list(dict.fromkeys(found[k] for k in keys))
