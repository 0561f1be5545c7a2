"""A reader's profile: everything the recommender learns from, read from the signals
they gave (votes and collections in community, the signals of this app), or given
directly (the stateless API and CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperfeed.community.models import CollectionItem, Vote
from paperfeed.recommend.models import FollowedAuthor, FollowedCategory, PaperSignal

# How each positive source reads in a reason: "like *A* that you saved".
VERBS = {
    "vote": "voted for",
    "saved": "saved",
    PaperSignal.MORE: "asked for more like",
    PaperSignal.CLAIMED: "wrote",
    "given": "liked",
    "community": "",  # the community profile: "which readers here liked"
}


@dataclass
class Profile:
    """Paper keys are catalogue primary keys. ``positive`` maps each liked paper to how
    the reader said so (a key of :data:`VERBS`), most recent last."""

    positive: dict[int, str] = field(default_factory=dict)
    negative: list[int] = field(default_factory=list)
    authors: set[int] = field(default_factory=set)
    categories: set[str] = field(default_factory=set)
    user_id: int | None = None

    @property
    def empty(self) -> bool:
        return not (self.positive or self.authors or self.categories)

    @property
    def seen(self) -> set[int]:
        """Papers never recommended back: those the reader already marked."""
        return set(self.positive) | set(self.negative)


def profile_for(user) -> Profile:
    """The signed-in reader's profile, in five indexed reads. Later signals win: a
    paper voted for and then marked "not interested" is a negative."""
    profile = Profile(user_id=user.pk)
    dated: list[tuple[object, int, str]] = []
    for paper_id, at in Vote.objects.filter(user=user).values_list("paper_id", "created_at"):
        dated.append((at, paper_id, "vote"))
    items = CollectionItem.objects.filter(collection__owner=user)
    for paper_id, at in items.values_list("paper_id", "added_at"):
        dated.append((at, paper_id, "saved"))
    negatives: set[int] = set()
    for paper_id, kind, at in PaperSignal.objects.filter(user=user).values_list(
        "paper_id", "kind", "created_at"
    ):
        if kind == PaperSignal.NOT_INTERESTED:
            negatives.add(paper_id)
        else:
            dated.append((at, paper_id, kind))
    dated.sort(key=lambda row: (row[0], row[1]))
    for _, paper_id, source in dated:
        if paper_id not in negatives:
            profile.positive.pop(paper_id, None)
            profile.positive[paper_id] = source
    profile.negative = sorted(negatives)
    profile.authors = set(
        FollowedAuthor.objects.filter(user=user).values_list("author_id", flat=True)
    )
    profile.categories = set(
        FollowedCategory.objects.filter(user=user).values_list("category_id", flat=True)
    )
    return profile
