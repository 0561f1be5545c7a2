"""The cache backend behind rendered pages (settings.CACHES["pages"])."""

from __future__ import annotations

from diskcache import DjangoCache


class PageCache(DjangoCache):
    """diskcache's Django backend, kept open between requests.

    Django closes every cache when a request finishes; for diskcache that closes the
    SQLite connection of each shard, and reopening them cost 16 ms a request, more
    than rendering the page. The connections are per thread and safe to keep."""

    def close(self, **kwargs) -> None:
        pass
