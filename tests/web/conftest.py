"""Fixtures for the site tests (shared with the API tests)."""

from tests.support.site_fixtures import _clear_cache, corpus  # noqa: F401
