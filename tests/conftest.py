"""Shared test set-up.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL points
at one (``.ci/run`` does both). Every test gets its own data directory.
"""

from __future__ import annotations

import pytest

from tests.support.paths import SHARED_DATA


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path_factory):
    """Keep index files, mail and models written by the code under test out of the
    developer's real data directory."""
    folder = tmp_path_factory.mktemp("data")
    settings.DATA_DIR = folder
    settings.ARXIV_REQUEST_INTERVAL = 0
    return folder


@pytest.fixture(scope="session")
def shared_data():
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA
