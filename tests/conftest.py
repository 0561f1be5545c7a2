"""Shared test set-up.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL points
at one (``.ci/run`` does both). Every test gets its own data directory.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path_factory):
    """Keep index files, mail and models written by the code under test out of the
    developer's real data directory."""
    folder = tmp_path_factory.mktemp("data")
    settings.DATA_DIR = folder
    settings.ARXIV_REQUEST_INTERVAL = 0
    return folder


@pytest.fixture(scope="session", autouse=True)
def _search_threads_closed(django_db_setup):
    """Hybrid search's pool threads keep database connections; they are closed before
    the test databases are dropped (which an open connection would prevent)."""
    yield
    from paperfeed.search.hybrid import close_search_threads

    close_search_threads()
