"""``/for-you``: the announced papers of the latest day (or week, or all time) ranked
for the signed-in reader, each with the reasons the recommender gives and the buttons
that teach it. Private: never cached, never shown to anyone else."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from paperfeed.catalogue.models import Paper
from paperfeed.community import listing
from paperfeed.recommend import community
from paperfeed.recommend.buttons import signal_html
from paperfeed.recommend.profile import profile_for
from paperfeed.recommend.rank import recommend
from paperfeed.web.cards import render_cards

WINDOWS = {"day": "Today", "week": "This week", "all": "All time"}
LIMIT = 50
LIST_ID = "for-you-results"


def window_dates(window: str) -> tuple[dt.date | None, dt.date | None]:
    last = Paper.objects.order_by("-announced").values_list("announced", flat=True).first()
    if window == "all" or last is None:
        return None, None
    return (last if window == "day" else last - dt.timedelta(days=6)), last


@never_cache
def for_you(request):
    window = request.GET.get("window")
    window = window if window in WINDOWS else "day"
    context = {"windows": WINDOWS, "window": window, "items": [], "list_id": LIST_ID}
    if not request.user.is_authenticated:
        context["anonymous"] = True
        if not community.enabled():
            return render(request, "web/for_you.html", context)
        profile = community.community_profile()  # the instance's field, for visitors
        context["community"] = True
    else:
        profile = profile_for(request.user)
    context["profile"] = profile
    if profile.empty:
        return render(request, "web/for_you.html", {**context, "empty_profile": True})
    since, until = window_dates(window)
    context["bounds"] = (since, until)
    found = recommend(profile, since=since, until=until, limit=LIMIT)
    papers = {p.pk: p for p in listing.card_queryset().filter(id__in=[r.paper_id for r in found])}
    target = f"#{LIST_ID}"
    context["items"] = [
        {
            "reasons": rec.reasons,
            "card": render_cards(request, [papers[rec.paper_id]], level=3, signals=False),
            "buttons": signal_html(request, papers[rec.paper_id], None, target=target),
        }
        for rec in found
        if rec.paper_id in papers
    ]
    return render(request, "web/for_you.html", context)
