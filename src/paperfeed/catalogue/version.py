"""The catalogue's version: a string that changes whenever a paper is added or
changed. Pages fold it into their ETags; search keys its per-filter paper lists
on it.

Two grains, as the community's revisions have:

- ``catalogue_version()``, the whole catalogue's: for pages that may show any paper.
- ``span_version(first, last)``, only the papers announced on those days: for pages
  that list a span's papers (the daily feed, the API's list of a day, trending). An import
  writes in batches of a few hundred papers, each batch moving the whole catalogue's
  version; keyed on the whole, every such page was rendered again after every batch
  (about once a second per page during an import), though only the days the batches
  fell on had changed. A backfill of old years imports for hours.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count, Max

from paperfeed.catalogue.models import Category, Paper
from paperfeed.memo import Lru, Recent


def catalogue_version() -> str:
    """Two index look-ups, no scan.

    (A separate query each, because SQLite answers a lone MAX() from the index but
    scans the table for MAX() next to another aggregate.)"""
    latest = Paper.objects.order_by("-modified_at").values_list("modified_at", flat=True).first()
    top = Paper.objects.order_by("-pk").values_list("pk", flat=True).first()
    return f"{latest.isoformat() if latest else '-'}/{top or 0}"


# Read at most once a second per process; this process's own changes are forgotten
# at once (CatalogueConfig.ready), other processes' show within the second.
_recent_version = Recent(lambda: catalogue_version())
recent_catalogue_version = _recent_version.__call__
forget_recent_version = _recent_version.forget


def database_key() -> str:
    """Which database this connection reads, for in-process caches keyed by data (the
    test suite and the benchmarks switch databases within one process)."""
    return f"{connection.alias}:{connection.settings_dict['NAME']}"


def span_version(first: dt.date, last: dt.date) -> str:
    """How many papers were announced from ``first`` to ``last`` and the latest change
    among them: a paper added to, removed from, moved out of or changed within the
    span moves one of the two (a paper moved in is changed, so moves the latest). One
    range read of the index on (announced, modified_at). And how many categories
    there are: a span's page filtered by a category it does not know is an error,
    until an import anywhere brings that category."""
    row = Paper.objects.filter(announced__gte=first, announced__lte=last).aggregate(
        n=Count("*"), latest=Max("modified_at")
    )
    latest = row["latest"].isoformat() if row["latest"] else "-"
    return f"{first}..{last}:{row['n']}:{latest}:{_categories()}"


_category_counts: Lru[str, str, int] = Lru(8)


def _categories() -> int:
    """How many categories there are: read once a version, not once a span."""
    return _category_counts.current(
        database_key(), recent_catalogue_version(), Category.objects.count
    )


# A span's version is read again only once the whole catalogue's version has moved
# (read at most once a second, as above), so a page served from the cache costs no
# query for it while nothing is imported.
_span_versions: Lru[tuple[str, dt.date, dt.date], str, str] = Lru(512)


def recent_span_version(first: dt.date, last: dt.date) -> str:
    return _span_versions.current(
        (database_key(), first, last), recent_catalogue_version(), lambda: span_version(first, last)
    )
