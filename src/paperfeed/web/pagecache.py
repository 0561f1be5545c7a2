"""The cache backend behind rendered pages (settings.CACHES["pages"])."""

from __future__ import annotations

from typing import Any

from diskcache import DjangoCache
from django.core.cache.backends.base import DEFAULT_TIMEOUT


class PageCache(DjangoCache):
    """diskcache's Django backend, kept open between requests; its writes give up when busy.

    Django closes every cache when a request finishes; for diskcache that closes the
    SQLite connection of each shard, and reopening them cost 16 ms a request, more
    than rendering the page. The connections are per thread and safe to keep."""

    def close(self, **kwargs) -> None:
        pass

    def set(
        self,
        key: str,
        value: Any,
        timeout: Any = DEFAULT_TIMEOUT,
        version: int | None = None,
        read: bool = False,
        tag: str | None = None,
        retry: bool = False,
    ) -> bool:
        """A write that finds its shard busy for longer than ``DATABASE_TIMEOUT`` is
        skipped (``False``): the reader has the page already, and another request
        renders it again. diskcache's Django backend retries until the write gets
        through (its reads give up), which held a rendered page back from its reader
        for as long as another process kept the shard busy."""
        return super().set(key, value, timeout, version, read, tag, retry)
