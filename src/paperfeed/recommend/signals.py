"""Writing what a reader tells the recommender: the only module that writes signals,
follows and the reader's revision. Every function is idempotent (setting a signal
twice leaves one row), acts on the given reader only, and moves that reader's
revision, which their pages' ETags carry."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from paperfeed.catalogue.models import Author, Category, Paper
from paperfeed.recommend.models import (
    FollowedAuthor,
    FollowedCategory,
    PaperSignal,
    ReaderRevision,
    ReaderToken,
    SentPick,
)


def set_signal(user, paper: Paper, kind: str | None) -> None:
    """Give ``paper`` the signal ``kind`` (replacing another), or clear it with None."""
    if kind is not None and kind not in dict(PaperSignal.KINDS):
        raise ValueError(f"unknown signal {kind!r}")
    with transaction.atomic():
        if kind is None:
            PaperSignal.objects.filter(user=user, paper=paper).delete()
        else:
            PaperSignal.objects.update_or_create(user=user, paper=paper, defaults={"kind": kind})
        _touch(user)


def forget_signal(user, arxiv_id: str) -> None:
    """Clear the reader's signal on a paper named by its arXiv id (the profile page)."""
    with transaction.atomic():
        PaperSignal.objects.filter(user=user, paper__arxiv_id=arxiv_id).delete()
        _touch(user)


def signal_of(user, paper: Paper) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return PaperSignal.objects.filter(user=user, paper=paper).values_list("kind", flat=True).first()


def signals_of(user) -> dict[int, str]:
    """paper id -> the reader's signal, every paper at once (one query), so a list of
    cards shows each button pressed or not without a query per card."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return dict(PaperSignal.objects.filter(user=user).values_list("paper_id", "kind"))


def dismissed(user) -> QuerySet:
    """The ids of the papers the reader marked "not interested", as a subquery for
    ``exclude(pk__in=...)``: those papers leave the reader's lists (the day, trending,
    categories), not only For you."""
    return PaperSignal.objects.filter(user=user, kind=PaperSignal.NOT_INTERESTED).values("paper_id")


def claim(user, papers: list[Paper]) -> int:
    """Mark papers as the reader's own ("these are my papers"); returns how many are new.
    A paper they had marked "not interested" becomes theirs."""
    added = 0
    with transaction.atomic():
        for paper in papers:
            _, created = PaperSignal.objects.update_or_create(
                user=user, paper=paper, defaults={"kind": PaperSignal.CLAIMED}
            )
            added += created
        _touch(user)
    return added


def follow_author(user, author: Author | int, on: bool = True) -> None:
    """Follow (or with ``on=False`` unfollow) an author, given or by id."""
    key = author if isinstance(author, int) else author.pk
    _follow(FollowedAuthor, user, on, author_id=key)


def follow_category(user, category: Category | str, on: bool = True) -> None:
    """Follow (or with ``on=False`` unfollow) a category, given or by code."""
    key = category if isinstance(category, str) else category.pk
    _follow(FollowedCategory, user, on, category_id=key)


def _follow(model, user, on: bool, **target) -> None:
    if not on:
        with transaction.atomic():
            model.objects.filter(user=user, **target).delete()
            _touch(user)
        return
    try:
        with transaction.atomic():
            model.objects.get_or_create(user=user, **target)
    except IntegrityError:  # a concurrent click made it first
        pass
    _touch(user)


def _touch(user) -> None:
    """Move the reader's revision (a row per reader; a concurrent first click that
    created it meanwhile is simply updated)."""
    now = timezone.now()
    if ReaderRevision.objects.filter(user=user).update(changed_at=now):
        return
    try:
        with transaction.atomic():
            ReaderRevision.objects.create(user=user, changed_at=now)
    except IntegrityError:
        ReaderRevision.objects.filter(user=user).update(changed_at=now)


def reader_revision(user) -> str:
    """What the reader last told the recommender, as a string for ETags ("" for a
    visitor, "-" for a reader who has told it nothing)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    at = ReaderRevision.objects.filter(user=user).values_list("changed_at", flat=True).first()
    return at.isoformat() if at else "-"


def forget_reader(sender, instance, **kwargs) -> None:
    """``pre_delete`` of an account: everything the recommender knew about the reader
    goes with it (the foreign keys cascade too; this keeps it so whatever the models
    become)."""
    for model in (
        PaperSignal,
        FollowedAuthor,
        FollowedCategory,
        ReaderToken,
        SentPick,
        ReaderRevision,
    ):
        model.objects.filter(user=instance).delete()
