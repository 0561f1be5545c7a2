"""``/search?q=``: a plain lookup until semantic search lands.

An arXiv id (any form: 2503.11677v2, arXiv:..., an arxiv.org URL, astro-ph/0601001)
goes straight to the paper page. Otherwise: authors whose name matches (exactly,
in the usual capitalisations, so the name index answers), and papers whose
title contains the text. The ORM
escapes ``%`` and ``_`` in ``icontains``; the query is cut to a sane length and NULs
are dropped, so no input can raise.
"""

from __future__ import annotations

from django.shortcuts import redirect, render

from paperfeed.catalogue.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.catalogue.models import NEWEST_FIRST, Author, Paper
from paperfeed.web import queries

MAX_QUERY = 200
RESULTS = 50
AUTHORS = 20


def clean_query(raw: str | None) -> str:
    text = (raw or "").replace("\x00", "")
    return " ".join(text.split())[:MAX_QUERY]


def search(request):  # type: ignore[no-untyped-def]
    q = clean_query(request.GET.get("q"))
    context: dict = {"q": q, "papers": [], "authors": [], "missing_id": None}
    if not q:
        return render(request, "web/search.html", context)
    try:
        parsed = parse_arxiv_id(q)
    except InvalidArxivId:
        parsed = None
    if parsed is not None:
        if Paper.objects.filter(arxiv_id=parsed.id).exists():
            return redirect("web:paper", arxiv_id=parsed.id)
        context["missing_id"] = parsed.id
        return render(request, "web/search.html", context, status=404)

    # Exact name in a few capitalisations: an indexed lookup, never a scan of authors.
    spellings = {q, q.title(), q.lower(), q.upper()}
    authors = list(Author.objects.filter(name__in=spellings).order_by("name")[:AUTHORS])
    context["authors"] = authors
    papers = list(
        queries.card_queryset().filter(title__icontains=q).order_by(*NEWEST_FIRST)[:RESULTS]
    )
    context["papers"] = papers
    context["limited"] = len(papers) == RESULTS
    return render(request, "web/search.html", context)
