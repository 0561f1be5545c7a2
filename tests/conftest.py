"""Shared test set-up.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL points
at one (``.ci/run`` does both). Every test gets its own data directory.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path_factory):
    """Keep index files, mail and models written by the code under test out of the
    developer's real data directory."""
    folder = tmp_path_factory.mktemp("data")
    settings.DATA_DIR = folder
    settings.ARXIV_REQUEST_INTERVAL = 0
    return folder


@pytest.fixture(scope="session")
def slice_vectors() -> dict[str, Any]:
    """The search tests' corpus slice's vectors by text (``tests/search/conftest.py``),
    as the real model made them for the first module that indexed it. The model is
    deterministic, so a later module would compute the same rows: it takes these
    instead of spending six seconds on each (about a dozen modules index the slice, in
    each database's suite)."""
    return {}


@pytest.fixture(scope="session", autouse=True)
def _connections_closed(django_db_setup, django_db_blocker):
    """Every connection to the test database is gone before it is dropped (an open one
    makes the drop fail). Hybrid search's pool threads keep theirs: closed here. Django's
    live server (the browser tests) answers each request on a thread of its own; a
    connection one of them opened as the run ended (a paper page's queries) was seen
    still open after the server and its threads had stopped. On PostgreSQL whatever
    session is left is ended."""
    yield
    from django.db import connection

    from paperfeed.search.hybrid import close_search_threads

    close_search_threads()
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
