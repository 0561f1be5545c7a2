"""``/search?q=``: hybrid search (keyword + meaning) over the catalogue.

An arXiv id (any form: 2503.11677v2, arXiv:..., an arxiv.org URL, astro-ph/0601001)
goes straight to the paper page. Otherwise: authors whose name matches (exactly,
in the usual capitalisations, so the name index answers), and papers from
``paperfeed.search.hybrid.search`` in its order, 20 a page, with the query's words
marked in the title and the start of the abstract.

Parameters: ``q``; ``mode`` (keyword, semantic, hybrid; default hybrid);
``category`` (a code such as cs.CL or an archive such as cs; may repeat, or be a
comma-separated list);
``from`` / ``to`` (announcement dates, YYYY-MM-DD, inclusive); ``page``. A bad value
gives a 400 page saying what was wrong. The search engine reduces any query text
to safe terms, so no text raises.
"""

from __future__ import annotations

import logging
import re
from typing import Protocol, cast

from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from paperfeed.accounts.rates import limit
from paperfeed.catalogue.models import Author, Category, Paper
from paperfeed.community import listing
from paperfeed.search import hybrid
from paperfeed.search.filters import Filters
from paperfeed.search.keyword import parse_query
from paperfeed.search.status import coverage
from paperfeed.sources.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.web.params import BadParameter, parse_date, parse_page
from paperfeed.web.responses import friendly_errors

log = logging.getLogger("paperfeed.web")

MAX_QUERY = 200
PAGE_SIZE = 20
AUTHORS = 20
SNIPPET_CHARS = 300
MAX_CATEGORIES = 10
MAX_MARKED_WORDS = 32


def clean_query(raw: str | None) -> str:
    text = (raw or "").replace("\x00", "")
    return " ".join(text.split())[:MAX_QUERY]


# highlighting -------------------------------------------------------------------------


def query_words(q: str) -> list[tuple[str, bool]]:
    """(word, is_prefix) pairs to mark: the words of the parsed query's terms."""
    words: dict[str, bool] = {}
    for _column, term_words, prefix in parse_query(q).terms:
        for i, word in enumerate(term_words):
            is_prefix = prefix and i == len(term_words) - 1
            words[word] = words.get(word, False) or is_prefix
    return list(words.items())[:MAX_MARKED_WORDS]


def word_pattern(words: list[tuple[str, bool]]) -> re.Pattern[str] | None:
    """Whole words (a plural or prefix continuation allowed), case-insensitive."""
    if not words:
        return None
    alternatives = [
        re.escape(word) + (r"\w*" if prefix else r"(?:s|es)?")
        for word, prefix in sorted(words, key=lambda w: -len(w[0]))
    ]
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def highlight(text: str, pattern: re.Pattern[str] | None) -> SafeString:
    """``text`` escaped, with matches of ``pattern`` wrapped in ``<mark>``.

    Matching runs on the raw text and each piece is escaped separately, so markup in
    the text (or the query) never survives, and escapes are never split."""
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped
    pieces: list[str] = []
    end = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[end : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        end = match.end()
    pieces.append(escape(text[end:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece escaped above


def snippet_text(abstract: str, limit: int = SNIPPET_CHARS) -> str:
    text = " ".join((abstract or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


class MarkedPaper(Protocol):
    """What ``card.jinja`` and ``row.jinja`` show instead of the plain title, and
    under it, when a paper has them: plain attributes the model does not declare."""

    title_html: SafeString
    snippet_html: SafeString


def mark_papers(papers: list[Paper], q: str) -> None:
    """Give each paper ``title_html`` and ``snippet_html`` (escaped, words marked)."""
    pattern = word_pattern(query_words(q))
    for paper in papers:
        marked = cast(MarkedPaper, paper)
        marked.title_html = highlight(paper.title, pattern)
        marked.snippet_html = highlight(snippet_text(paper.abstract), pattern)


# parameters ---------------------------------------------------------------------------


def parse_mode(value: str | None) -> str:
    if not value:
        return "hybrid"
    if value not in hybrid.MODES:
        raise BadParameter(f"mode must be one of {', '.join(hybrid.MODES)}, not “{value[:40]}”")
    return value


def parse_categories(values: list[str]) -> tuple[str, ...]:
    """Category codes (cs.CL) or archives (cs) that exist in the catalogue."""
    codes: list[str] = []
    parts = [part for raw in values for part in raw.split(",")]
    for raw in parts:
        value = raw.strip()
        if not value:
            continue
        if len(codes) >= MAX_CATEGORIES:
            raise BadParameter(f"at most {MAX_CATEGORIES} categories")
        known = (
            len(value) <= 32
            and Category.objects.filter(Q(code=value) | Q(code__startswith=value + ".")).exists()
        )
        if not known:
            raise BadParameter(f"unknown category “{value[:40]}”")
        codes.append(value)
    return tuple(codes)


def parse_filters(get) -> Filters:
    date_from = parse_date(get.get("from"))
    date_to = parse_date(get.get("to"))
    if date_from and date_to and date_from > date_to:
        raise BadParameter(f"“from” ({date_from}) is after “to” ({date_to})")
    return Filters(
        categories=parse_categories(get.getlist("category")),
        date_from=date_from,
        date_to=date_to,
    )


def cards_for(hits) -> list[Paper]:
    """The hits' papers as cards, in hit order (papers deleted meanwhile dropped)."""
    by_id = {p.id: p for p in listing.card_queryset().filter(id__in=[h.paper_id for h in hits])}
    papers = []
    for hit in hits:
        paper = by_id.get(hit.paper_id)
        if paper is not None:
            paper.hit = hit
            papers.append(paper)
    return papers


# the view -----------------------------------------------------------------------------


@friendly_errors
def search(request):
    q = clean_query(request.GET.get("q"))
    mode = parse_mode(request.GET.get("mode"))
    filters = parse_filters(request.GET)
    number = parse_page(request.GET.get("page"))
    context: dict = {
        "q": q,
        "mode": mode,
        "modes": hybrid.MODES,
        "categories": ", ".join(filters.categories),
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "filtered": not filters.empty,
        "papers": [],
        "authors": [],
        "missing_id": None,
        "page": None,
        "unavailable": False,
        "index_notice": None,
    }
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

    if number == 1:
        # Exact name in a few capitalisations: an indexed lookup, never a scan of authors.
        spellings = {q, q.title(), q.lower(), q.upper()}
        context["authors"] = list(
            Author.objects.filter(name__in=spellings).order_by("name")[:AUTHORS]
        )
    offset = (number - 1) * PAGE_SIZE
    if mode != "keyword" and (refused := limit(request, "expensive-read")) is not None:
        return refused  # embedding a query costs CPU: a generous per-IP limit
    if mode != "keyword":  # while embedding is behind, say what meaning search covers
        context["index_notice"] = coverage().notice
    try:
        # One more than a page: tells whether a next page exists.
        hits = hybrid.search(q, mode=mode, filters=filters, limit=PAGE_SIZE + 1, offset=offset)
    except Exception:  # e.g. no embedding model installed for semantic mode
        log.exception("search failed: mode=%s", mode)
        hits = []
        context["unavailable"] = True
    has_next = len(hits) > PAGE_SIZE
    papers = cards_for(hits[:PAGE_SIZE])
    mark_papers(papers, q)
    context["papers"] = papers
    context["page"] = {
        "number": number,
        "has_previous": number > 1,
        "has_next": has_next,
        "start": offset + 1 if papers else 0,
        "end": offset + len(papers),
    }
    return render(request, "web/search.html", context)
