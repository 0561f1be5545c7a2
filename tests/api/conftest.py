"""Fixtures for the API tests (shared with the site tests)."""

from tests.support.site_fixtures import _clear_cache, corpus  # noqa: F401
