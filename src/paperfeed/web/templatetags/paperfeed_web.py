"""Template helpers for the site: author links, bylines, abstracts, page links."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify

from paperfeed.web.queries import CARD_AUTHORS

register = template.Library()


@register.filter
def author_url(author) -> str:  # type: ignore[no-untyped-def]
    slug = slugify(author.name)
    if slug:
        return reverse("web:author", kwargs={"pk": author.pk, "slug": slug})
    return reverse("web:author-id", kwargs={"pk": author.pk})


@register.filter
def byline(paper, limit: int = CARD_AUTHORS):  # type: ignore[no-untyped-def]
    """(shown authors, how many more) from the prefetched, ordered authorships."""
    authors = [a.author for a in paper.authorships.all()]
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
