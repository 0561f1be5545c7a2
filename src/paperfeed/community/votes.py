"""Upvotes: one per account and paper, set or removed in place (htmx) or by a plain form.

The form says what it wants (``action=up`` or ``action=remove``), so a double
click or two tabs repeat the same request instead of toggling it back. The
database guarantees one vote: the insert of a second one fails on the unique
constraint (IntegrityError) and counts as "already voted"; the cached count moves
by ``F() + 1`` only when a row was really inserted (or deleted).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from paperfeed.accounts.limits import limit
from paperfeed.catalogue.models import Paper
from paperfeed.community.models import Vote
from paperfeed.community.permissions import reader_required
from paperfeed.trending.models import TrendingScore
from paperfeed.trending.score import add_votes


def cast(user, paper: Paper) -> bool:  # type: ignore[no-untyped-def]
    """Vote for ``paper``; True when this call added the vote."""
    try:
        with transaction.atomic():
            Vote.objects.create(user=user, paper=paper)
            add_votes(paper.pk, +1)
    except IntegrityError:
        return False
    return True


def retract(user, paper: Paper) -> bool:  # type: ignore[no-untyped-def]
    """Remove the vote; True when this call removed it."""
    with transaction.atomic():
        deleted, _ = Vote.objects.filter(user=user, paper=paper).delete()
        if deleted:
            add_votes(paper.pk, -1)
    return bool(deleted)


def vote_count(paper: Paper) -> int:
    row = TrendingScore.objects.filter(paper_id=paper.pk).values_list("votes", flat=True).first()
    return row or 0


@require_POST
@reader_required
def vote(request, arxiv_id: str):  # type: ignore[no-untyped-def]
    paper = get_object_or_404(Paper, arxiv_id=arxiv_id)
    if (response := limit(request, "vote")) is not None:
        return response
    action = request.POST.get("action")
    if action == "up":
        cast(request.user, paper)
    elif action == "remove":
        retract(request.user, paper)
    else:
        return HttpResponseBadRequest("action must be up or remove")
    if request.headers.get("HX-Request"):
        voted = Vote.objects.filter(user=request.user, paper=paper).exists()
        return render(
            request,
            "community/_vote.html",
            {"paper": paper, "votes": vote_count(paper), "voted": voted},
        )
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    return redirect(back or "web:paper", **({} if back else {"arxiv_id": paper.arxiv_id}))


def voted_ids(request) -> set[int]:  # type: ignore[no-untyped-def]
    """The papers the signed-in reader voted for (memoised for the request)."""
    if not request.user.is_authenticated:
        return set()
    cached = getattr(request, "_paperfeed_voted", None)
    if cached is None:
        cached = set(Vote.objects.filter(user=request.user).values_list("paper_id", flat=True))
        request._paperfeed_voted = cached
    return cached
