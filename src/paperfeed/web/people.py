"""Author pages (``/authors/<id>-<slug>``): an author's papers, newest first."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render

from paperfeed.catalogue.models import NEWEST_FIRST, Author
from paperfeed.community import listing
from paperfeed.web import queries
from paperfeed.web.display import author_url
from paperfeed.web.params import BadParameter, parse_page
from paperfeed.web.responses import cached_page


@cached_page
def author_detail(request, pk: str, slug: str | None = None):
    author = Author.objects.filter(pk=int(pk)).first()
    if author is None:
        raise Http404("No such author")
    canonical = author_url(author)
    if request.path != canonical:
        query = request.META.get("QUERY_STRING")
        return redirect(f"{canonical}?{query}" if query else canonical, permanent=True)
    number = parse_page(request.GET.get("page"))
    listed = listing.card_queryset().filter(authorships__author=author).order_by(*NEWEST_FIRST)
    page = queries.page_of(listed, number)
    if number > 1 and not page.items:
        raise BadParameter(f"page {number} is past the end (there are {page.pages})")
    return render(
        request, "web/author.html", {"author": author, "page": page, "papers": page.items}
    )
