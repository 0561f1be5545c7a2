"""The paper page (``/papers/<arxiv-id>``)."""

from __future__ import annotations

import logging

from django.http import Http404
from django.shortcuts import redirect, render

from paperfeed import panels
from paperfeed.catalogue.bibtex import bibtex
from paperfeed.catalogue.models import Paper
from paperfeed.community import listing
from paperfeed.community.permissions import is_curator
from paperfeed.search.similar import PaperNotFound, similar
from paperfeed.search.vectors import TableState
from paperfeed.sources.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.web import queries, votes
from paperfeed.web.responses import cached_page

log = logging.getLogger("paperfeed.web")


SIMILAR = 6


def similar_papers(paper: Paper, limit: int = SIMILAR) -> list[Paper]:
    """Up to ``limit`` nearest neighbours by meaning, as cards, closest first.

    Empty while the paper has no vector yet (nothing is embedded in a request) or
    when the search index cannot answer: the page still renders."""
    try:
        hits = similar(paper.arxiv_id, limit)
    except PaperNotFound:
        return []
    except Exception:  # a broken index must not take the paper page down
        log.exception("similar papers failed for %s", paper.arxiv_id)
        return []
    by_id = {p.id: p for p in listing.card_queryset().filter(id__in=[h.paper_id for h in hits])}
    return [by_id[h.paper_id] for h in hits if h.paper_id in by_id and h.paper_id != paper.id]


def code_repository(paper: Paper):
    """The paper's code repository to show (paperfeed.codelinks), or None."""
    return getattr(paper, "code_repository", None)


def paper_etag(request, arxiv_id: str) -> str:
    """A paper page also shows its similar papers, which change when the background
    worker embeds new papers: the vector table's state is part of the ETag."""
    state = TableState.read()
    return queries.etag_for(request, extra=f"{state.count}/{state.max_updated}")


@cached_page(etag_func=paper_etag)
def paper_detail(request, arxiv_id: str):
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId:
        raise Http404(f"{arxiv_id} is not an arXiv id") from None
    if parsed.version is not None or parsed.id != arxiv_id:
        return redirect("web:paper", arxiv_id=parsed.id, permanent=True)
    paper = listing.detail_queryset().filter(arxiv_id=parsed.id).first()
    if paper is None:
        raise Http404(f"Paper {parsed.id} is not in this catalogue")
    card = listing.as_card(paper)
    user = request.user
    page = {
        "paper": paper,
        "request": request,
        "user": user,
        "signed_in": user.is_authenticated,
        "curator": is_curator(user),
        "vote_button": votes.button_for(request, paper),
    }
    return render(
        request,
        "web/paper.html",
        {
            "paper": paper,
            "authors": card.author_refs,
            "categories": card.category_refs,
            "versions": list(paper.versions.all()),
            "bibtex": bibtex(paper, card.author_refs),
            "similar": similar_papers(paper),
            "code_repository": code_repository(paper),
            "math": True,
            "panels": panels.PAPER.render(request, paper, page),
        },
    )
