from __future__ import annotations

import pytest

from tests.support.community import FAST_HASHERS


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """MD5 only here, so tests don't spend seconds on Argon2 (production uses Argon2)."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
