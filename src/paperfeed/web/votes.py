"""The vote button and the vote endpoint (``POST /papers/<arxiv-id>/vote``).

The vote itself (one per account and paper, counted in the paper's community state)
is ``paperfeed.community.votes``; this module is the web's side of it: the form says
what it wants (``action=up`` or ``action=remove``), so a double click or two tabs
repeat the same request instead of toggling it back; htmx gets the new button back,
a plain form a redirect.

The button is the ``vote_button`` macro of ``templates/web/vote.jinja``, rendered
by the cards' Jinja2 environment. Use :func:`vote_button` from Python (a paper page
panel, an htmx response) and the macro from Jinja2 templates (``card.jinja``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from paperfeed.accounts.rates import limit
from paperfeed.catalogue.models import Paper
from paperfeed.community.permissions import reader_required
from paperfeed.community.state import votes_of
from paperfeed.community.votes import cast, has_voted, retract, vote_count, voted_paper_ids
from paperfeed.memo import PerObject
from paperfeed.web.jinja import environment


class ButtonContext(NamedTuple):
    """What every vote button of one response shares, worked out once (a card list
    renders fifty buttons; reversing URLs, masking a CSRF token and encoding ``next``
    fifty times took 10 ms)."""

    signed_in: bool
    action_prefix: str  # the vote URL up to the arXiv id
    action_suffix: str  # and after it
    csrf: str
    here: str  # for the form's hidden "next"
    login: str  # log-in URL with ?next=


_SAMPLE_ID = "0000.00000"


def button_context(request: HttpRequest | None) -> ButtonContext:
    """Memoised on the request."""
    return _button_context(None) if request is None else _button_contexts(request)


def _button_context(request: HttpRequest | None) -> ButtonContext:
    prefix, _, suffix = reverse("web:vote", args=[_SAMPLE_ID]).partition(_SAMPLE_ID)
    here = request.get_full_path() if request is not None else ""
    signed_in = request is not None and request.user.is_authenticated
    return ButtonContext(
        signed_in=signed_in,
        action_prefix=prefix,
        action_suffix=suffix,
        csrf=get_token(request) if request is not None and signed_in else "",
        here=here,
        login=f"{reverse('accounts:login')}?{urlencode({'next': here})}",
    )


_button_contexts: PerObject[HttpRequest, ButtonContext] = PerObject(
    "_paperfeed_vote_buttons", _button_context
)


def vote_button(request: HttpRequest | None, paper: Any, votes: int, voted: bool) -> SafeString:
    """The reader's vote button for ``paper`` (the ``vote_button`` macro)."""
    macro = environment().get_template("vote.jinja").module.vote_button  # type: ignore[attr-defined]  # jinja2: macros are untyped module attributes
    return mark_safe(  # noqa: S308 (autoescaped Jinja2 output)
        str(macro(paper, int(votes), bool(voted), button_context(request)))
    )


def voted_ids(request: HttpRequest) -> set[int]:
    """The papers the signed-in reader voted for (memoised for the request)."""
    if not request.user.is_authenticated:
        return set()
    return _voted_ids(request)


_voted_ids: PerObject[HttpRequest, set[int]] = PerObject(
    "_paperfeed_voted", lambda request: voted_paper_ids(request.user)
)


def button_for(request: HttpRequest, paper: Paper) -> SafeString:
    """The button of one paper for this reader (the paper page)."""
    voted = request.user.is_authenticated and has_voted(request.user, paper)
    return vote_button(request, paper, votes_of(paper), voted)


@require_POST
@reader_required
def vote(request, arxiv_id: str):
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
    if request.htmx:
        voted = has_voted(request.user, paper)
        return HttpResponse(vote_button(request, paper, vote_count(paper), voted))
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    if back:
        return redirect(back)
    return redirect("web:paper", arxiv_id=paper.arxiv_id)
