"""The catalogue's version: a string that changes whenever a paper is added or
changed. Pages fold it into their ETags; search keys its per-filter paper lists
on it."""

from __future__ import annotations

from django.db import connection

from paperfeed.catalogue.models import Paper
from paperfeed.memo import Recent


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
