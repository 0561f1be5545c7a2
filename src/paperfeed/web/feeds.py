"""Atom feeds, written with feedgen: the daily feed, each category, and trending.

Each feed is discoverable from its page through ``<link rel="alternate"
type="application/atom+xml">`` and carries an ETag and Cache-Control like the pages.
"""

from __future__ import annotations

import datetime as dt
import re

from django.http import Http404, HttpResponse
from django.urls import reverse
from feedgen.feed import FeedGenerator

from paperfeed.catalogue.days import day_nav
from paperfeed.catalogue.models import NEWEST_FIRST, Category, Paper
from paperfeed.community import listing
from paperfeed.trending.ranking import DEFAULT_WINDOW, WINDOWS, trending_papers
from paperfeed.web.params import parse_category, parse_choice
from paperfeed.web.responses import cached_page

DAILY_LIMIT = 1000
CATEGORY_LIMIT = 100
TRENDING_LIMIT = 50
# Characters XML 1.0 forbids (lxml refuses them); arXiv text occasionally has some.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _XML_BAD.sub("", value or "")


def _when(paper: Paper) -> dt.datetime:
    if paper.announced:
        return dt.datetime.combine(paper.announced, dt.time(), tzinfo=dt.UTC)
    return paper.updated or paper.submitted or paper.modified_at


def _feed(
    request, *, feed_id: str, title: str, subtitle: str, page_url: str, papers
) -> HttpResponse:
    fg = FeedGenerator()
    fg.id(request.build_absolute_uri(feed_id))
    fg.title(_text(title))
    fg.subtitle(_text(subtitle))
    fg.link(href=request.build_absolute_uri(page_url), rel="alternate", type="text/html")
    fg.link(href=request.build_absolute_uri(request.get_full_path()), rel="self")
    fg.generator("paperfeed")
    fg.language("en")
    newest = max((_when(p) for p in papers), default=None)
    fg.updated(newest or dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    for paper in papers:
        entry = fg.add_entry(order="append")
        entry.id(f"https://arxiv.org/abs/{paper.arxiv_id}")
        entry.title(_text(paper.title))
        # One link only: feedgen 1.0 drops rel/type on entry links, and two links
        # without them would be two "alternate" links, which Atom forbids.
        entry.link(href=request.build_absolute_uri(reverse("web:paper", args=[paper.arxiv_id])))
        entry.summary(_text(paper.abstract) or _text(paper.title))
        when = _when(paper)
        entry.published(when)
        entry.updated(max(when, paper.updated) if paper.updated else when)
        card = listing.as_card(paper)
        for author in card.author_refs:
            entry.author(name=_text(author.name))
        if not card.author_refs:
            entry.author(name="Unknown")
        for category in card.category_refs:
            entry.category(term=category.code, label=category.name or category.code)
    body = fg.atom_str(pretty=False)
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


@cached_page
def daily_feed(request):
    category = parse_category(request.GET.get("category"))
    latest = day_nav(None).latest
    papers: list[Paper] = []
    if latest is not None:
        listed = listing.card_queryset().filter(announced=latest)
        if category is not None:
            listed = listed.filter(primary_category=category)
        papers = list(listed.order_by("primary_category_id", "-arxiv_id")[:DAILY_LIMIT])
    scope = f" in {category.code}" if category else ""
    page = reverse("web:feed") + (f"?category={category.code}" if category else "")
    return _feed(
        request,
        feed_id=page,
        title=f"paperfeed: new papers{scope}",
        subtitle=f"Papers announced on {latest:%A %-d %B %Y}{scope}" if latest else "No papers yet",
        page_url=page,
        papers=papers,
    )


@cached_page
def category_feed(request, code: str):
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise Http404(f"There is no category {code}")
    papers = list(
        listing.card_queryset()
        .filter(primary_category=category)
        .order_by(*NEWEST_FIRST)[:CATEGORY_LIMIT]
    )
    page = reverse("web:category", args=[category.code])
    return _feed(
        request,
        feed_id=page,
        title=f"paperfeed: {category.code}" + (f" ({category.name})" if category.name else ""),
        subtitle=f"The latest papers in {category.code}",
        page_url=page,
        papers=papers,
    )


@cached_page
def trending_feed(request):
    window = parse_choice(request.GET.get("window"), tuple(WINDOWS), DEFAULT_WINDOW, "window")
    papers = trending_papers(window, limit=TRENDING_LIMIT, queryset=listing.card_queryset())
    page = reverse("web:trending") + f"?window={window}"
    return _feed(
        request,
        feed_id=page,
        title=f"paperfeed: trending this {window}",
        subtitle=f"The papers trending over the last {window}",
        page_url=page,
        papers=papers,
    )
