"""Fixtures shared by the site and API tests: one corpus a module, rolled back
afterwards, and caches emptied around every test. Import them into a conftest."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from paperfeed.community.revisions import forget as forget_revisions
from paperfeed.web.responses import clear_page_cache
from tests.support.corpus import load_corpus


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """2000 listed papers + 200 snapshot papers + one old-style id, for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        created = load_corpus()
        yield created
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    clear_page_cache()
    forget_revisions()  # a revision read before the last test's rollback
    yield
    cache.clear()
    clear_page_cache()
    forget_revisions()
