"""The community's combined interests: one profile from what all readers recently voted
for and saved, so a visitor who is not signed in can see a day ranked for the
instance's own field (``PAPERFEED_COMMUNITY_RANKING=1``)."""

from __future__ import annotations

import time

from django.conf import settings

from paperfeed.catalogue.version import database_key
from paperfeed.community.models import CollectionItem, Vote
from paperfeed.recommend.profile import Profile

RECENT = 300  # the most recent votes and saves that make up the profile
TTL = 300.0
_cache: dict[str, tuple[float, Profile]] = {}


def enabled() -> bool:
    return bool(getattr(settings, "PAPERFEED_COMMUNITY_RANKING", False))


def community_profile() -> Profile:
    """The papers readers most recently voted for or saved (each once), read at most
    every five minutes per process."""
    key = database_key()
    now = time.monotonic()
    cached = _cache.get(key)
    if cached and now - cached[0] < TTL:
        return cached[1]
    voted = Vote.objects.order_by("-created_at").values_list("paper_id", flat=True)[:RECENT]
    saved = (
        CollectionItem.objects.filter(collection__public=True)
        .order_by("-added_at")
        .values_list("paper_id", flat=True)[:RECENT]
    )
    positive: dict[int, str] = {}
    for paper_id in [*saved, *voted][::-1]:
        positive[paper_id] = "community"
    profile = Profile(positive=dict(list(positive.items())[-RECENT:]))
    _cache[key] = (now, profile)
    return profile


def forget() -> None:
    _cache.clear()
