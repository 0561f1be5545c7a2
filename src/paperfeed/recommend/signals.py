"""Writing what a reader tells the recommender. Every function is idempotent (setting
a signal twice leaves one row) and acts on the given reader only."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from paperfeed.catalogue.models import Author, Category, Paper
from paperfeed.recommend.models import (
    FollowedAuthor,
    FollowedCategory,
    PaperSignal,
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
            return
        PaperSignal.objects.update_or_create(user=user, paper=paper, defaults={"kind": kind})


def signal_of(user, paper: Paper) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return PaperSignal.objects.filter(user=user, paper=paper).values_list("kind", flat=True).first()


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
