"""The daily feed (``/``): one announcement day (or its week or month), ranked.

By default the page shows the top of the span (``show=top``): what readers submitted
or featured, then the best-ranked papers (``paperfeed.web.ranking``), with the rest
one click away (``show=all``: every paper, grouped by category, the largest first, or
by day for a week or month, ranked within each group, paged). A category filter lists
that category's papers ranked. ``view=list`` draws compact rows for scanning titles
instead of cards; every link on the page keeps the view.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter

from django.http import HttpRequest
from django.shortcuts import render
from django.utils.http import urlencode

from paperfeed.catalogue.days import day_nav
from paperfeed.catalogue.models import Paper
from paperfeed.community import listing
from paperfeed.community.featured import featured_on
from paperfeed.web import queries, ranking
from paperfeed.web.params import BadParameter, parse_category, parse_choice, parse_date, parse_page
from paperfeed.web.responses import cached_page

SPANS = ("day", "week", "month")
SHOWS = ("top", "all")
VIEWS = ("cards", "list")
ORDERS = ("readers", ranking.FOR_YOU)
DEFAULTS = ("", "top", "cards", "readers")  # values the links leave out
TOP_COUNT = 10  # papers in the top of a day (after the featured ones)
LIST_PAGE_SIZE = 200  # compact rows a page in the list view


def span_bounds(day: dt.date, span: str) -> tuple[dt.date, dt.date]:
    if span == "week":
        first = day - dt.timedelta(days=day.weekday())
        return first, first + dt.timedelta(days=6)
    if span == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    return day, day


def load_cards(entries: list[tuple[ranking.Entry, int]], numbered: bool) -> list[Paper]:
    """The card data of these ranked papers, in their order, each with its ``entry``
    (and ``rank``, its place in the ranking, when ``numbered``). Four queries."""
    by_pk = {p.pk: p for p in listing.card_queryset().filter(pk__in=[e.pk for e, _ in entries])}
    papers = []
    for entry, position in entries:
        paper = by_pk.get(entry.pk)
        if paper is not None:
            paper.entry = entry
            paper.rank = position if numbered else None
            papers.append(paper)
    return papers


def facets_of(ranked: list[ranking.Entry]) -> list[dict]:
    """Primary categories of the span with their counts, the largest first."""
    names = queries.category_names()
    counts = Counter(e.category for e in ranked if e.category)
    return [
        {"code": code, "name": names.get(code, ""), "count": n}
        for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def daily_etag(request: HttpRequest, *args: object, **kwargs: object) -> str:
    """The page lists its span's papers only: keyed by those days' state, and by the
    days it links to (its neighbours, the first and the latest day), which a new day
    anywhere may change. A bad parameter's page (400) is keyed as any other page."""
    try:
        asked = parse_date(request.GET.get("date"))
        span = parse_choice(request.GET.get("span"), SPANS, "day", "span")
    except BadParameter:
        return queries.etag_for(request)
    nav = day_nav(asked)  # the asked day's links, or the latest day's
    day = asked or nav.latest
    if day is None:  # empty catalogue
        return queries.etag_for(request)
    links = f"{nav.previous}/{nav.next}/{nav.first}/{nav.latest}"
    return queries.span_etag(request, *span_bounds(day, span), extra=links)


@cached_page(etag_func=daily_etag)
def daily(request):
    day = parse_date(request.GET.get("date"))
    span = parse_choice(request.GET.get("span"), SPANS, "day", "span")
    category = parse_category(request.GET.get("category"))
    number = parse_page(request.GET.get("page"))
    # a later page of the day is a page of all its papers (links from before the top)
    show = parse_choice(request.GET.get("show"), SHOWS, "all" if number > 1 else "top", "show")
    view = parse_choice(request.GET.get("view"), VIEWS, "cards", "view")
    order = parse_choice(request.GET.get("order"), ORDERS, "readers", "order")
    if order == ranking.FOR_YOU and not request.user.is_authenticated:
        raise BadParameter("order=for-you is the signed-in reader's own order; sign in first")

    nav = day_nav(day)
    if day is None:
        day = nav.latest
    kept = {
        "category": category.code if category else "",
        "show": show,
        "view": view,
        "order": order,
    }
    context = {
        "day": day,
        "span": span,
        "category": category,
        "nav": nav,
        "show": show,
        "view": view,
        "order": order,
        # what the date and span links keep: the filter, what is shown, view and order
        "keep": urlencode({k: v for k, v in kept.items() if v not in DEFAULTS}),
        "feed_url_params": f"?category={category.code}" if category else "",
    }
    if day is None:  # empty catalogue
        return render(request, "web/feed.html", {**context, "empty_catalogue": True})

    first, last = span_bounds(day, span)
    in_span = listing.visible_papers().filter(announced__gte=first, announced__lte=last)
    in_span = queries.without_dismissed(request, in_span)
    ranked = ranking.entries(in_span, first, last, request, order)
    facets = facets_of(ranked)
    span_total = len(ranked)
    if category is not None:
        ranked = [e for e in ranked if e.category == category.code]

    featured: list[Paper] = []
    top_mode = category is None and show == "top"
    if top_mode:
        if number > 1:
            raise BadParameter("the top of the day has one page; add show=all to see them all")
        if span == "day":
            featured = featured_on(day)
        shown = {p.pk for p in featured}
        chosen = [e for e in ranked if e.pk not in shown][:TOP_COUNT]
        papers = load_cards([(e, i) for i, e in enumerate(chosen, 1)], numbered=True)
        page = queries.Page(papers, 1, len(chosen), max(len(chosen), 1))
        group_by = ""
    else:
        mixed = category is None and order != ranking.FOR_YOU  # the reader's order: one list
        if mixed:
            ordered = ranking.grouped(ranked, "category" if span == "day" else "day")
        else:
            ordered = ranked
        size = LIST_PAGE_SIZE if view == "list" else queries.PAGE_SIZE
        start = (number - 1) * size
        window = [(e, start + i) for i, e in enumerate(ordered[start : start + size], 1)]
        papers = load_cards(window, numbered=not mixed)
        page = queries.Page(papers, number, len(ordered), size)
        if number > 1 and not papers:
            raise BadParameter(f"page {number} is past the end (there are {page.pages})")
        group_by = "" if not mixed else ("category" if span == "day" else "day")
    context.update(
        first=first,
        last=last,
        facets=facets,
        span_total=span_total,
        total=len(ranked),
        featured=featured,
        page=page,
        papers=papers,
        group_by=group_by,
        top_mode=top_mode,
        ranked_by_readers=any(ranking.has_signal(e) for e in ranked),
        # the reader's own order is offered once the recommender knows them
        for_you=order == ranking.FOR_YOU or any(e.fit for e in ranked),
    )
    return render(request, "web/feed.html", context)
