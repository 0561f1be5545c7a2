from __future__ import annotations

import pytest

from tests.support.community import FAST_HASHERS, file_sqlite_for_tests


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    file_sqlite_for_tests(tmp_path_factory)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """MD5 only here, so tests don't spend seconds on Argon2 (production uses Argon2)."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
