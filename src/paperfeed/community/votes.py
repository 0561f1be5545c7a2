"""Upvotes: one per account and paper.

The database guarantees one vote: the insert of a second one fails on the unique
constraint (IntegrityError) and counts as "already voted"; the paper's vote total
(its community state) moves by ``F() + 1`` only when a row was really inserted (or
deleted). The endpoint and the button are the web's (``paperfeed.web.votes``).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from paperfeed.catalogue.models import Paper
from paperfeed.community.models import PaperState, Vote
from paperfeed.community.state import add_votes


def cast(user, paper: Paper) -> bool:
    """Vote for ``paper``; True when this call added the vote."""
    try:
        with transaction.atomic():
            Vote.objects.create(user=user, paper=paper)
            add_votes(paper.pk, +1)
    except IntegrityError:
        return False
    return True


def retract(user, paper: Paper) -> bool:
    """Remove the vote; True when this call removed it."""
    with transaction.atomic():
        deleted, _ = Vote.objects.filter(user=user, paper=paper).delete()
        if deleted:
            add_votes(paper.pk, -1)
    return bool(deleted)


def vote_count(paper: Paper) -> int:
    """The paper's vote total, read now (after a vote: not the row it was loaded with)."""
    row = PaperState.objects.filter(paper_id=paper.pk).values_list("votes", flat=True).first()
    return row or 0


def has_voted(user, paper: Paper) -> bool:
    return Vote.objects.filter(user=user, paper=paper).exists()


def voted_paper_ids(user) -> set[int]:
    """Every paper this account voted for."""
    return set(Vote.objects.filter(user=user).values_list("paper_id", flat=True))
