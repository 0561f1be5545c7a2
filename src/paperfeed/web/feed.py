"""The daily feed (``/``): one announcement day (or its week or month), grouped and
filterable by primary category, paged."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db.models import Count
from django.shortcuts import render

from paperfeed.catalogue.days import day_nav
from paperfeed.catalogue.models import ANNOUNCED_DESC
from paperfeed.community import listing
from paperfeed.community.featured import featured_on
from paperfeed.web import queries
from paperfeed.web.params import BadParameter, parse_category, parse_choice, parse_date, parse_page
from paperfeed.web.responses import cached_page

SPANS = ("day", "week", "month")


def span_bounds(day: dt.date, span: str) -> tuple[dt.date, dt.date]:
    if span == "week":
        first = day - dt.timedelta(days=day.weekday())
        return first, first + dt.timedelta(days=6)
    if span == "month":
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    return day, day


@cached_page
def daily(request):
    day = parse_date(request.GET.get("date"))
    span = parse_choice(request.GET.get("span"), SPANS, "day", "span")
    category = parse_category(request.GET.get("category"))
    number = parse_page(request.GET.get("page"))

    nav = day_nav(day)
    if day is None:
        day = nav.latest
    context = {
        "day": day,
        "span": span,
        "category": category,
        "nav": nav,
        "feed_url_params": f"?category={category.code}" if category else "",
    }
    if day is None:  # empty catalogue
        return render(request, "web/feed.html", {**context, "empty_catalogue": True})

    first, last = span_bounds(day, span)
    in_span = listing.visible_papers().filter(announced__gte=first, announced__lte=last)
    names = queries.category_names()
    counts = list(
        in_span.order_by()
        .values_list("primary_category")
        .annotate(n=Count("id"))
        .order_by("-n", "primary_category")
    )
    facets = [{"code": code, "name": names.get(code, ""), "count": n} for code, n in counts if code]
    span_total = sum(n for _, n in counts)
    listed = listing.card_queryset().filter(announced__gte=first, announced__lte=last)
    if category is not None:
        listed = listed.filter(primary_category=category)
        total = next((f["count"] for f in facets if f["code"] == category.code), 0)
    else:
        total = span_total
    if span == "day":
        listed = listed.order_by("primary_category_id", "-arxiv_id")
    else:
        listed = listed.order_by(ANNOUNCED_DESC, "primary_category_id", "-arxiv_id")
    page = queries.page_of(listed, number, total)
    if number > 1 and not page.items:
        raise BadParameter(f"page {number} is past the end (there are {page.pages})")
    if span == "day" and category is None and number == 1:
        context["featured"] = featured_on(day)
    context.update(
        first=first,
        last=last,
        facets=facets,
        span_total=span_total,
        page=page,
        papers=page.items,
        group_by="category" if span == "day" else "day",
    )
    return render(request, "web/feed.html", context)
