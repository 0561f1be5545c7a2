"""The trending page (``/trending``) with day, week and month windows."""

from __future__ import annotations

from django.shortcuts import render

from paperfeed.catalogue.days import days_with_counts
from paperfeed.catalogue.version import recent_catalogue_version, recent_span_version
from paperfeed.community import listing
from paperfeed.community.revisions import recent_revision, recent_span_revision
from paperfeed.trending.ranking import (
    DEFAULT_WINDOW,
    WINDOWS,
    memoised_trending,
    recent_window_bounds,
)
from paperfeed.web import queries
from paperfeed.web.params import parse_choice
from paperfeed.web.responses import cached_page

TRENDING_LIMIT = 50


@cached_page(etag_func=queries.trending_etag)
def trending(request):
    window = parse_choice(request.GET.get("window"), tuple(WINDOWS), DEFAULT_WINDOW, "window")
    bounds = recent_window_bounds(window)
    # The window's days' state, as the page's ETag (queries.trending_etag).
    if bounds is None:
        version = f"{recent_catalogue_version()}|{recent_revision()}"
    else:
        version = f"{recent_span_version(*bounds)}|{recent_span_revision(*bounds)}"
    # The reader's "not interested" papers leave the list: twice the list is read then
    # (two shared memo entries, not one per reader) and cut back.
    hidden = queries.dismissed_ids(request)
    fetch = 2 * TRENDING_LIMIT if hidden else TRENDING_LIMIT
    papers = memoised_trending(window, fetch, listing.card_queryset, version)
    papers = [p for p in papers if p.pk not in hidden][:TRENDING_LIMIT]
    return render(
        request,
        "web/trending.html",
        {
            "window": window,
            "windows": list(WINDOWS),
            "bounds": bounds,
            "papers": papers,
            "empty_catalogue": bounds is None and not days_with_counts(),
            "feed_url_params": f"?window={window}",
        },
    )
