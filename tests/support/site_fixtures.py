"""Fixtures shared by the site and API tests: one corpus a module, rolled back
afterwards, and caches emptied around every test. Import them into a conftest."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction

from paperfeed.catalogue.version import forget_recent_version
from paperfeed.community.revisions import forget as forget_revisions
from paperfeed.search.vectors import forget_state as forget_vector_state
from paperfeed.web.responses import clear_page_cache
from tests.support.corpus import load_corpus


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker):
    """2000 listed papers + 200 snapshot papers + one old-style id, for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        created = load_corpus()
        yield created
        transaction.set_rollback(True)


def _forget_process_memos() -> None:
    """What this process remembers for a second about the database: read before the
    last test's rollback, it would describe rows that are gone. A paper page keyed on a
    vector table state that still counted the previous test's vector, and read afresh
    once its second had passed, changed its key between two requests of one test (a
    miss where a hit was expected, seen twice in slow PostgreSQL runs)."""
    forget_revisions()
    forget_recent_version()
    forget_vector_state()


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    clear_page_cache()
    _forget_process_memos()
    yield
    cache.clear()
    clear_page_cache()
    _forget_process_memos()
