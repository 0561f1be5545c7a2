"""Fixtures for the site tests (shared with the API tests)."""

from tests.support.days import days  # noqa: F401
from tests.support.site_fixtures import _clear_cache, corpus  # noqa: F401
