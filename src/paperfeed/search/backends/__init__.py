"""The search backend of the database in use: ``backend()``.

``sqlite.py`` and ``postgres.py`` each hold everything one database decides about
search (keyword tables and ranking SQL, where vectors live); the rest of the search
app asks the backend and never looks at ``connection.vendor`` itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection

from paperfeed.search.backends.base import SearchBackend
from paperfeed.search.backends.postgres import PostgresBackend
from paperfeed.search.backends.sqlite import SQLiteBackend


def backend() -> SearchBackend:
    """This connection's backend (built per call: it is a few attributes, and tests
    that change ``PAPERFEED_PGVECTOR`` see the change at once)."""
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    if connection.vendor == "postgresql":
        return PostgresBackend(pgvector=settings.PAPERFEED_PGVECTOR)
    raise NotImplementedError(f"no search backend for {connection.vendor}")


__all__ = ["SearchBackend", "backend"]
