"""The trending page (``/trending``) with day, week and month windows."""

from __future__ import annotations

from django.shortcuts import render

from paperfeed.catalogue.days import days_with_counts
from paperfeed.catalogue.version import recent_catalogue_version
from paperfeed.community import listing
from paperfeed.community.state import recent_revision
from paperfeed.trending.ranking import DEFAULT_WINDOW, WINDOWS, memoised_trending, window_bounds
from paperfeed.web.params import parse_choice
from paperfeed.web.responses import cached_page

TRENDING_LIMIT = 50


@cached_page
def trending(request):
    window = parse_choice(request.GET.get("window"), tuple(WINDOWS), DEFAULT_WINDOW, "window")
    bounds = window_bounds(window)
    version = f"{recent_catalogue_version()}|{recent_revision()}"
    papers = memoised_trending(window, TRENDING_LIMIT, listing.card_queryset, version)
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
