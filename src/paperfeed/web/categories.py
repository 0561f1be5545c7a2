"""Category pages: the index (``/categories``) and one category (``/categories/<code>``)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from paperfeed.catalogue.models import NEWEST_FIRST, Category
from paperfeed.community import listing
from paperfeed.web import queries
from paperfeed.web.params import BadParameter, parse_page
from paperfeed.web.responses import cached_page


@cached_page
def category_index(request):
    counts = queries.category_counts()
    names = queries.category_names()
    rows = [
        {"code": code, "name": names.get(code, ""), "count": counts.get(code, 0)}
        for code in sorted(names, key=lambda c: (-counts.get(c, 0), c))
    ]
    return render(request, "web/categories.html", {"rows": rows})


@cached_page
def category_detail(request, code: str):
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise Http404(f"There is no category {code} in this catalogue")
    cross = request.GET.get("cross") == "1"
    number = parse_page(request.GET.get("page"))
    if cross:
        listed = listing.card_queryset().filter(categories=category)
    else:
        listed = listing.card_queryset().filter(primary_category=category)
    listed = queries.without_dismissed(request, listed)
    page = queries.page_of(listed.order_by(*NEWEST_FIRST), number)
    if number > 1 and not page.items:
        raise BadParameter(f"page {number} is past the end (there are {page.pages})")
    return render(
        request,
        "web/category.html",
        {"category": category, "page": page, "papers": page.items, "cross": cross},
    )
