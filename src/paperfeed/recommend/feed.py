"""The reader's personal Atom feed: the past week's papers ranked for them, each with
its reasons, at a private URL holding a revocable token (feed readers cannot log in)."""

from __future__ import annotations

import datetime as dt
import re

from django.http import Http404, HttpResponse
from django.urls import reverse
from feedgen.feed import FeedGenerator

from paperfeed.catalogue.models import Paper
from paperfeed.recommend import tokens
from paperfeed.recommend.profile import profile_for
from paperfeed.recommend.rank import recommend

FEED_LIMIT = 50
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _XML_BAD.sub("", value or "")


def latest_week() -> tuple[dt.date | None, dt.date | None]:
    """The seven days up to the latest announcement day."""
    last = Paper.objects.order_by("-announced").values_list("announced", flat=True).first()
    return (last - dt.timedelta(days=6), last) if last else (None, None)


def personal_feed(request, token: str):
    user = tokens.user_for(token, tokens.FEED)
    if user is None:
        raise Http404("no such feed")
    since, until = latest_week()
    found = recommend(profile_for(user), since=since, until=until, limit=FEED_LIMIT)
    papers = {p.pk: p for p in Paper.objects.filter(id__in=[r.paper_id for r in found])}
    fg = FeedGenerator()
    fg.id(request.build_absolute_uri(reverse("recommend:profile")))
    fg.title("paperfeed: for you")
    fg.subtitle("This week's papers ranked for you, with the reasons")
    fg.link(href=request.build_absolute_uri(reverse("web:for-you")), rel="alternate")
    fg.generator("paperfeed")
    fg.language("en")
    fg.updated(dt.datetime.combine(until or dt.date(2000, 1, 1), dt.time(), tzinfo=dt.UTC))
    for rec in found:
        paper = papers[rec.paper_id]
        entry = fg.add_entry(order="append")
        entry.id(f"https://arxiv.org/abs/{paper.arxiv_id}")
        entry.title(_text(paper.title))
        entry.link(href=request.build_absolute_uri(reverse("web:paper", args=[paper.arxiv_id])))
        why = "; ".join(rec.reasons)
        entry.summary(_text(f"Why: {why}\n\n{paper.abstract}" if why else paper.abstract))
        when = dt.datetime.combine(paper.announced or dt.date(2000, 1, 1), dt.time(), tzinfo=dt.UTC)
        entry.published(when)
        entry.updated(when)
        entry.author(name="arXiv")
    response = HttpResponse(fg.atom_str(pretty=False), content_type="application/atom+xml")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
