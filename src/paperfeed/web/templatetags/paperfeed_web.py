"""Template helpers for the site: author links, bylines, abstracts, page links."""

from __future__ import annotations

from django import template
from django.utils.http import urlencode

from paperfeed.sources.weblinks import safe_href as _safe_href
from paperfeed.textlinks import linkify
from paperfeed.web import display
from paperfeed.web.cards import render_cards

register = template.Library()


@register.filter
def safe_href(url: str) -> str:
    """The URL when it is http(s), else empty: imported links never reach an href
    with another scheme, even from rows stored before ingest checked them."""
    return _safe_href(url or "")


for _name in (
    "author_url",
    "paper_url",
    "category_url",
    "dom_id",
    "code_repository",
    "byline",
    "lede",
    "is_long",
):
    register.filter(_name, getattr(display, _name))


@register.filter
def links(text: str) -> str:
    """Text from arXiv (abstract, comments) escaped, its http(s) URLs clickable."""
    return linkify(text)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
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
def cards(context, papers, level: int = 3, wrap: str = ""):
    """``{% cards papers level=4 %}``: the cards of a list (``paperfeed.web.cards``)."""
    return render_cards(context.get("request"), papers, level=level, wrap=wrap)


@register.simple_tag
def rows(papers, level: int = 3):
    """``{% rows papers %}``: the compact rows of the list view."""
    from paperfeed.web.cards import render_rows

    return render_rows(papers, level=level)
