"""A web process does its first-request work before it serves (paperfeed.web.warmup)."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperfeed.catalogue.days import days_with_counts
from paperfeed.catalogue.models import Paper
from paperfeed.search.embeddings import get_embedder
from paperfeed.web import queries, warmup

pytestmark = pytest.mark.django_db


def aggregates(queries_run) -> list[str]:
    return [q["sql"] for q in queries_run if "GROUP BY" in q["sql"].upper()]


def test_after_warming_the_pages_aggregates_are_read_from_the_cache(corpus):
    cache.clear()  # a fresh process
    with CaptureQueriesContext(connection) as cold:
        days_with_counts()
    assert aggregates(cold.captured_queries)  # counted from the papers
    cache.clear()
    get_embedder.cache_clear()

    warmup.warm()

    with CaptureQueriesContext(connection) as warm:
        days = days_with_counts()
        counts = queries.category_counts()
    assert aggregates(warm.captured_queries) == []
    assert sum(n for _, n in days) == Paper.objects.exclude(announced=None).count() > 0
    assert sum(counts.values()) == Paper.objects.exclude(primary_category=None).count()
    assert get_embedder.cache_info().currsize == 1  # the model is loaded


def test_a_failing_step_is_logged_and_the_others_still_run(corpus, monkeypatch, caplog):
    def broken() -> None:
        raise RuntimeError("database unreachable")

    cache.clear()
    monkeypatch.setattr(warmup, "days_with_counts", broken)
    caplog.set_level(logging.WARNING, logger="paperfeed.web")
    warmup.warm()
    assert any("warm-up: days failed" in r.getMessage() for r in caplog.records)
    with CaptureQueriesContext(connection) as after:
        queries.category_counts()
    assert aggregates(after.captured_queries) == []  # the step after it ran
