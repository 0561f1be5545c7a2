"""Everything the recommender knows about a reader, for the page where they see and
edit it and for the JSON export."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperfeed.catalogue.models import Paper
from paperfeed.community.models import CollectionItem, Vote
from paperfeed.recommend.models import FollowedAuthor, FollowedCategory, PaperSignal


@dataclass
class Knowledge:
    votes: list[Paper] = field(default_factory=list)
    saved: list[Paper] = field(default_factory=list)
    more: list[Paper] = field(default_factory=list)
    claimed: list[Paper] = field(default_factory=list)
    not_interested: list[Paper] = field(default_factory=list)
    authors: list = field(default_factory=list)
    categories: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(vars(self).values())


def knowledge(user) -> Knowledge:
    papers = Paper.objects.only("arxiv_id", "title")
    known = Knowledge(
        votes=list(papers.filter(votes__user=user).order_by("-votes__created_at")),
        saved=list(
            papers.filter(
                id__in=CollectionItem.objects.filter(collection__owner=user).values("paper_id")
            ).order_by("-id")
        ),
        authors=[
            f.author for f in FollowedAuthor.objects.filter(user=user).select_related("author")
        ],
        categories=[
            f.category
            for f in FollowedCategory.objects.filter(user=user).select_related("category")
        ],
    )
    by_kind = {
        PaperSignal.MORE: known.more,
        PaperSignal.CLAIMED: known.claimed,
        PaperSignal.NOT_INTERESTED: known.not_interested,
    }
    for signal in (
        PaperSignal.objects.filter(user=user).select_related("paper").order_by("-created_at")
    ):
        by_kind[signal.kind].append(signal.paper)
    return known


def export(user) -> dict[str, object]:
    """The reader's recommender data as plain JSON (ids and titles, with dates)."""

    def signal_rows(kind: str) -> list[dict[str, str]]:
        rows = PaperSignal.objects.filter(user=user, kind=kind).select_related("paper")
        return [
            {"id": s.paper.arxiv_id, "title": s.paper.title, "at": s.created_at.isoformat()}
            for s in rows.order_by("created_at")
        ]

    votes = Vote.objects.filter(user=user).select_related("paper").order_by("created_at")
    items = (
        CollectionItem.objects.filter(collection__owner=user)
        .select_related("paper", "collection")
        .order_by("added_at")
    )
    return {
        "account": user.get_username(),
        "votes": [
            {"id": v.paper.arxiv_id, "title": v.paper.title, "at": v.created_at.isoformat()}
            for v in votes
        ],
        "saved": [
            {
                "id": i.paper.arxiv_id,
                "title": i.paper.title,
                "collection": i.collection.name,
                "at": i.added_at.isoformat(),
            }
            for i in items
        ],
        "more_like_this": signal_rows(PaperSignal.MORE),
        "my_papers": signal_rows(PaperSignal.CLAIMED),
        "not_interested": signal_rows(PaperSignal.NOT_INTERESTED),
        "followed_authors": [
            {"id": f.author_id, "name": f.author.name}
            for f in FollowedAuthor.objects.filter(user=user).select_related("author")
        ],
        "followed_categories": list(
            FollowedCategory.objects.filter(user=user).values_list("category_id", flat=True)
        ),
    }
