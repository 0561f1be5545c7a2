"""The Jinja2 environment of the repeated parts of pages (cards, vote buttons).

A list page is fifty cards around a little chrome. Django's template engine spent
35 ms on the cards of one page (an include, a dozen filters and a template tag per
card); the same markup from a compiled Jinja2 template takes about 2 ms. The page
chrome stays in Django templates.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import jinja2

from paperfeed.sources.weblinks import safe_href
from paperfeed.web import display

TEMPLATES = Path(__file__).parent / "templates" / "web"


def short_date(day: dt.date) -> str:
    """``5 Mar 2026``, as Django's ``date:"j M Y"`` writes it in English."""
    return f"{day.day} {day:%b %Y}"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Built once per process; each template is compiled on first use and kept."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        auto_reload=False,
        trim_blocks=False,
    )
    env.filters.update(
        dom_id=display.dom_id,
        paper_url=display.paper_url,
        author_url=display.author_url,
        category_url=display.category_url,
        byline=display.byline,
        lede=display.lede,
        is_long=display.is_long,
        short_date=short_date,
        safe_href=safe_href,
    )
    return env
