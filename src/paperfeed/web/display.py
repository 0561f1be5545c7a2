"""How papers, authors and categories show on a page: their URLs (reversed once, not
per link), DOM ids, bylines and abstract ledes. Shared by the Django templates (as
filters, ``{% load paperfeed_web %}``) and the Jinja2 cards."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

from django.urls import reverse
from django.utils.text import slugify

from paperfeed.catalogue import text as paper_text
from paperfeed.community.listing import as_card
from paperfeed.web.queries import CARD_AUTHORS


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


def author_url(author) -> str:
    slug = _slug(author.name)
    base = f"{_prefixes()['author']}{author.pk}"
    return f"{base}-{slug}" if slug else base


def paper_url(paper) -> str:
    return _prefixes()["paper"] + paper.arxiv_id


def category_url(code: str) -> str:
    return _prefixes()["category"] + quote(code, safe="")


_NOT_ID = re.compile(r"[^A-Za-z0-9]")


def dom_id(arxiv_id: str) -> str:
    """An HTML id from an arXiv id (old-style ids have a slash)."""
    return _NOT_ID.sub("", arxiv_id)


def code_repository(paper):
    """The paper's code repository when one is known (a later issue adds them).

    A filter rather than ``paper.code_repository`` in the template: a missing
    attribute makes Django's template engine call dir() on the model, which is slow."""
    return getattr(paper, "code_repository", None)


def byline(paper, limit: int = CARD_AUTHORS):
    """(shown authors, how many more) from the card data's ordered byline."""
    shown, more = paper_text.split_byline(as_card(paper).author_refs, limit)
    return {"shown": shown, "more": more}


def lede(abstract: str, length: int = 240) -> str:
    """The first ``length`` characters of an abstract, cut at a word boundary."""
    return paper_text.lede(abstract, length)


def is_long(text: str, length: int = 240) -> bool:
    return len(text or "") > length
