"""Paper cards: the repeated part of every list page, rendered in one Jinja2 pass.

A list page is fifty cards around a little chrome. Django's template engine spent
35 ms on the cards of one page (an include, a dozen filters and a template tag per
card); the same markup from a compiled Jinja2 template takes about 2 ms. The page
chrome stays in Django templates, which call ``{% cards papers %}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jinja2
from django.utils.safestring import SafeString, mark_safe

from paperfeed.catalogue.models import Paper
from paperfeed.web.templatetags import paperfeed_web as helpers

TEMPLATES = Path(__file__).parent / "templates" / "web"


def short_date(day) -> str:  # type: ignore[no-untyped-def]
    """``5 Mar 2026``, as Django's ``date:"j M Y"`` writes it in English."""
    return f"{day.day} {day:%b %Y}"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Built once per process; the template is compiled on first use and kept."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        auto_reload=False,
        trim_blocks=False,
    )
    env.filters.update(
        dom_id=helpers.dom_id,
        paper_url=helpers.paper_url,
        author_url=helpers.author_url,
        category_url=helpers.category_url,
        byline=helpers.byline,
        lede=helpers.lede,
        is_long=helpers.is_long,
        short_date=short_date,
        safe_href=helpers.safe_href,
    )
    return env


def render_cards(request, papers: Iterable[Paper], level: int = 3, wrap: str = "") -> SafeString:  # type: ignore[no-untyped-def]
    """The cards of ``papers`` in order, each optionally wrapped in ``<wrap>`` (``li``
    for ranked lists). Vote buttons are per reader, so they come from the request."""
    from paperfeed.community.templatetags.community import paper_votes
    from paperfeed.community.votes import vote_html, voted_ids

    voted = voted_ids(request) if request is not None else set()

    def vote_button(paper: Paper) -> SafeString:
        return vote_html(request, paper, paper_votes(paper), paper.pk in voted)

    html = (
        environment()
        .get_template("card.jinja")
        .render(papers=papers, level=level, wrap=wrap, vote_button=vote_button)
    )
    return mark_safe(html)  # noqa: S308 (autoescaped Jinja2 output)
