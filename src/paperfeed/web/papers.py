"""The paper page (``/papers/<arxiv-id>``) and its BibTeX."""

from __future__ import annotations

import logging
import re

from django.http import Http404
from django.shortcuts import redirect, render

from paperfeed.catalogue.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.catalogue.models import Paper
from paperfeed.catalogue.weblinks import safe_href
from paperfeed.web import queries
from paperfeed.web.responses import cached_page

log = logging.getLogger("paperfeed.web")


SIMILAR = 6


def similar_papers(paper: Paper, limit: int = SIMILAR) -> list[Paper]:
    """Up to ``limit`` nearest neighbours by meaning, as cards, closest first.

    Empty while the paper has no vector yet (nothing is embedded in a request) or
    when the search index cannot answer: the page still renders."""
    from paperfeed.search.similar import PaperNotFound, similar

    try:
        hits = similar(paper.arxiv_id, limit)
    except PaperNotFound:
        return []
    except Exception:  # a broken index must not take the paper page down
        log.exception("similar papers failed for %s", paper.arxiv_id)
        return []
    by_id = {p.id: p for p in queries.card_queryset().filter(id__in=[h.paper_id for h in hits])}
    return [by_id[h.paper_id] for h in hits if h.paper_id in by_id and h.paper_id != paper.id]


def code_repository(paper: Paper):  # type: ignore[no-untyped-def]
    """The paper's code repository to show (paperfeed.codelinks), or None."""
    return getattr(paper, "code_repository", None)


def paper_etag(request, arxiv_id: str) -> str:  # type: ignore[no-untyped-def]
    """A paper page also shows its similar papers, which change when the background
    worker embeds new papers: the vector table's state is part of the ETag."""
    from paperfeed.search.vectors import TableState

    state = TableState.read()
    return queries.etag_for(request, extra=f"{state.count}/{state.max_updated}")


@cached_page(etag_func=paper_etag)
def paper_detail(request, arxiv_id: str):  # type: ignore[no-untyped-def]
    try:
        parsed = parse_arxiv_id(arxiv_id)
    except InvalidArxivId:
        raise Http404(f"{arxiv_id} is not an arXiv id") from None
    if parsed.version is not None or parsed.id != arxiv_id:
        return redirect("web:paper", arxiv_id=parsed.id, permanent=True)
    paper = queries.detail_queryset().filter(arxiv_id=parsed.id).first()
    if paper is None:
        raise Http404(f"Paper {parsed.id} is not in this catalogue")
    return render(
        request,
        "web/paper.html",
        {
            "paper": paper,
            "authors": paper.author_refs,
            "categories": paper.category_refs,
            "versions": list(paper.versions.all()),
            "bibtex": bibtex(paper, paper.author_refs),
            "similar": similar_papers(paper),
            "code_repository": code_repository(paper),
            "math": True,
        },
    )


_BIB_UNSAFE = re.compile(r"[{}]")


def _year(paper: Paper) -> str:
    for value in (paper.announced, paper.submitted):
        if value:
            return str(value.year)
    match = re.search(r"(?:^|/)(\d{2})(\d{2})", paper.arxiv_id)
    if match:
        yy = int(match.group(1))
        return str(1900 + yy if yy > 90 else 2000 + yy)
    return ""


def bibtex(paper: Paper, authors) -> str:  # type: ignore[no-untyped-def]
    """A @misc entry in arXiv's own style (eprint, archivePrefix, primaryClass)."""
    year = _year(paper)
    first = authors[0] if authors else None
    surname = (first.keyname or first.name.split()[-1]) if first else "anon"
    word = next((w for w in re.findall(r"[A-Za-z]+", paper.title) if len(w) > 3), "paper")
    key = re.sub(r"[^A-Za-z0-9]", "", f"{surname}{year}{word}").lower() or paper.arxiv_id

    def field(value: str) -> str:
        # Braces that don't balance would break the entry; keep the text otherwise.
        return value if value.count("{") == value.count("}") else _BIB_UNSAFE.sub("", value)

    fields = [
        ("title", field(paper.title)),
        ("author", " and ".join(field(a.name) for a in authors)),
        ("year", year),
        ("eprint", paper.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", paper.primary_category_id or ""),
        ("journal", field(paper.journal_ref)),
        ("doi", paper.doi),
        ("url", safe_href(paper.abs_url)),
    ]
    body = ",\n".join(f"  {name:<13} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}"
