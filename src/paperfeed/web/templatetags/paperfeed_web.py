"""Template helpers for the site: author links, bylines, abstracts, page links."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify

from paperfeed.catalogue.weblinks import safe_href as _safe_href
from paperfeed.textlinks import linkify
from paperfeed.web.queries import CARD_AUTHORS

register = template.Library()


@register.filter
def safe_href(url: str) -> str:
    """The URL when it is http(s), else empty: imported links never reach an href
    with another scheme, even from rows stored before ingest checked them."""
    return _safe_href(url or "")


# Cards render hundreds of links a page; reversing each costs more than the page's
# queries, so the URL prefixes are reversed once and the slugs memoised.
@lru_cache(maxsize=1)
def _prefixes() -> dict[str, str]:
    return {
        "author": reverse("web:author-id", kwargs={"pk": 0})[:-1],
        "paper": reverse("web:paper", args=["0000.00000"])[: -len("0000.00000")],
        "category": reverse("web:category", args=["x"])[:-1],
    }


@lru_cache(maxsize=100_000)
def _slug(name: str) -> str:
    return slugify(name)


@register.filter
def author_url(author) -> str:  # type: ignore[no-untyped-def]
    slug = _slug(author.name)
    base = f"{_prefixes()['author']}{author.pk}"
    return f"{base}-{slug}" if slug else base


@register.filter
def paper_url(paper) -> str:  # type: ignore[no-untyped-def]
    return _prefixes()["paper"] + paper.arxiv_id


@register.filter
def category_url(code: str) -> str:
    return _prefixes()["category"] + quote(code, safe="")


_NOT_ID = re.compile(r"[^A-Za-z0-9]")


@register.filter
def links(text: str) -> str:
    """Text from arXiv (abstract, comments) escaped, its http(s) URLs clickable."""
    return linkify(text)


@register.filter
def dom_id(arxiv_id: str) -> str:
    """An HTML id from an arXiv id (old-style ids have a slash)."""
    return _NOT_ID.sub("", arxiv_id)


@register.filter
def code_repository(paper):  # type: ignore[no-untyped-def]
    """The paper's code repository when one is known (a later issue adds them).

    A filter rather than ``paper.code_repository`` in the template: a missing
    attribute makes Django's template engine call dir() on the model, which is slow."""
    return getattr(paper, "code_repository", None)


@register.filter
def byline(paper, limit: int = CARD_AUTHORS):  # type: ignore[no-untyped-def]
    """(shown authors, how many more) from the card data's ordered byline."""
    authors = paper.author_refs
    if len(authors) <= limit + 1:
        return {"shown": authors, "more": 0}
    return {"shown": authors[:limit], "more": len(authors) - limit}


@register.filter
def lede(text: str, length: int = 240) -> str:
    """The first ``length`` characters of an abstract, cut at a word boundary."""
    text = text or ""
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


@register.filter
def is_long(text: str, length: int = 240) -> bool:
    return len(text or "") > length


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:  # type: ignore[no-untyped-def]
    """The current query string with some parameters replaced (None/"" removes them)."""
    request = context["request"]
    params = {k: v for k, v in request.GET.items()}
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else "?"


@register.simple_tag(takes_context=True)
def cards(context, papers, level: int = 3, wrap: str = ""):  # type: ignore[no-untyped-def]
    """``{% cards papers level=4 %}``: the cards of a list (``paperfeed.web.cards``)."""
    from paperfeed.web.cards import render_cards

    return render_cards(context.get("request"), papers, level=level, wrap=wrap)
