"""Upvotes: one per account and paper, set or removed in place (htmx) or by a plain form.

The form says what it wants (``action=up`` or ``action=remove``), so a double
click or two tabs repeat the same request instead of toggling it back. The
database guarantees one vote: the insert of a second one fails on the unique
constraint (IntegrityError) and counts as "already voted"; the cached count moves
by ``F() + 1`` only when a row was really inserted (or deleted).
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString, mark_safe
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
        return HttpResponse(vote_html(request, paper, vote_count(paper), voted))
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


class _ButtonContext(NamedTuple):
    """What every vote button of one response shares, worked out once."""

    signed_in: bool
    action_prefix: str  # the vote URL up to the arXiv id
    csrf: str
    here: str  # escaped, for the form's hidden "next"
    login: str  # escaped log-in URL with ?next=


_SAMPLE_ID = "0000.00000"


def _button_context(request) -> _ButtonContext:  # type: ignore[no-untyped-def]
    """Memoised on the request: a card list renders fifty buttons, and reversing
    URLs, masking a CSRF token and encoding ``next`` fifty times took 10 ms."""
    memo = getattr(request, "_paperfeed_vote_buttons", None) if request is not None else None
    if memo is not None:
        return memo
    action = reverse("community:vote", args=[_SAMPLE_ID])
    here = request.get_full_path() if request is not None else ""
    signed_in = request is not None and request.user.is_authenticated
    memo = _ButtonContext(
        signed_in=signed_in,
        action_prefix=action[: -len(_SAMPLE_ID)] if action.endswith(_SAMPLE_ID) else "",
        csrf=escape(get_token(request)) if signed_in else "",
        here=escape(here),
        login=escape(f"{reverse('accounts:login')}?{urlencode({'next': here})}"),
    )
    if request is not None:
        request._paperfeed_vote_buttons = memo
    return memo


def vote_html(request, paper: Paper, votes: int, voted: bool) -> SafeString:  # type: ignore[no-untyped-def]
    """The vote button: a POST form (htmx swaps it in place; without JS it is a
    normal form) for readers, a log-in link with the count for anonymous visitors.
    Built in Python rather than an included template: a card list renders fifty."""
    ctx = _button_context(request)
    pk = int(paper.pk)
    votes = int(votes)
    noun = "vote" if votes == 1 else "votes"
    if ctx.signed_in:
        action = escape(
            ctx.action_prefix + paper.arxiv_id
            if ctx.action_prefix
            else reverse("community:vote", args=[paper.arxiv_id])
        )
        if voted:
            value, cls, pressed, title, mine = (
                "remove",
                " voted",
                "true",
                "Remove your vote",
                (", yours included"),
            )
        else:
            value, cls, pressed, title, mine = "up", "", "false", "Upvote", ""
        return mark_safe(  # noqa: S308 (every interpolated string is escaped above)
            f'<span class="vote" id="vote-{pk}"><form class="vote-form" method="post" '
            f'action="{action}" hx-post="{action}" hx-target="#vote-{pk}" hx-swap="outerHTML">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{ctx.csrf}">'
            f'<input type="hidden" name="next" value="{ctx.here}">'
            f'<button type="submit" name="action" value="{value}" class="vote-button{cls}" '
            f'aria-pressed="{pressed}" title="{title}"><span aria-hidden="true">▲</span> '
            f'<span class="vote-count">{votes}</span><span class="visually-hidden"> {noun}{mine}'
            "</span></button></form></span>"
        )
    return mark_safe(  # noqa: S308 (every interpolated string is escaped above)
        f'<span class="vote" id="vote-{pk}"><a class="vote-button" href="{ctx.login}" '
        'title="Log in to vote"><span aria-hidden="true">▲</span> '
        f'<span class="vote-count">{votes}</span><span class="visually-hidden"> {noun}: '
        "log in to vote</span></a></span>"
    )
