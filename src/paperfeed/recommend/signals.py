"""Writing what a reader tells the recommender. Every function is idempotent (setting
a signal twice leaves one row) and acts on the given reader only."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from paperfeed.catalogue.models import Author, Category, Paper
from paperfeed.community.state import changed
from paperfeed.recommend.models import (
    FollowedAuthor,
    FollowedCategory,
    PaperSignal,
    ReaderToken,
    SentPick,
)


def set_signal(user, paper: Paper, kind: str | None) -> None:
    """Give ``paper`` the signal ``kind`` (replacing another), or clear it with None.
    The paper's pages change for this reader (buttons pressed, the For you order), so
    their ETags move: a revalidating browser gets the new page, not a 304."""
    if kind is not None and kind not in dict(PaperSignal.KINDS):
        raise ValueError(f"unknown signal {kind!r}")
    with transaction.atomic():
        if kind is None:
            PaperSignal.objects.filter(user=user, paper=paper).delete()
        else:
            PaperSignal.objects.update_or_create(user=user, paper=paper, defaults={"kind": kind})
        changed([paper.pk])


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
        changed([paper.pk for paper in papers])
    return added


def follow_author(user, author: Author, on: bool = True) -> None:
    _follow(FollowedAuthor, user, on, author=author)


def follow_category(user, category: Category, on: bool = True) -> None:
    _follow(FollowedCategory, user, on, category=category)


def _follow(model, user, on: bool, **target) -> None:
    if not on:
        model.objects.filter(user=user, **target).delete()
        return
    try:
        with transaction.atomic():
            model.objects.get_or_create(user=user, **target)
    except IntegrityError:  # a concurrent click made it first
        pass


def forget_reader(sender, instance, **kwargs) -> None:
    """``pre_delete`` of an account: everything the recommender knew about the reader
    goes with it (the foreign keys cascade too; this keeps it so whatever the models
    become)."""
    for model in (PaperSignal, FollowedAuthor, FollowedCategory, ReaderToken, SentPick):
        model.objects.filter(user=instance).delete()
