"""A web process does its first-request work before it serves (paperfeed.web.warmup)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperfeed.catalogue.days import days_with_counts
from paperfeed.catalogue.models import Paper
from paperfeed.search.backends import backend
from paperfeed.search.embeddings import get_embedder
from paperfeed.web import queries, warmup

pytestmark = pytest.mark.django_db


def aggregates(queries_run) -> list[str]:
    """Counts over the papers, and reads of the per-day counts kept beside them."""
    return [
        q["sql"]
        for q in queries_run
        if "GROUP BY" in q["sql"].upper() or "catalogue_daycount" in q["sql"]
    ]


def test_after_warming_the_pages_aggregates_are_read_from_the_cache(corpus):
    cache.clear()  # a fresh process
    with CaptureQueriesContext(connection) as cold:
        days_with_counts()
    assert aggregates(cold.captured_queries)  # read from the database
    cache.clear()
    get_embedder.cache_clear()

    with CaptureQueriesContext(connection) as warming:
        warmup.warm()
    # one search has run: the keyword index has been read (the vector half too)
    table = backend().keyword_table
    assert any(table in q["sql"] and "SELECT" in q["sql"] for q in warming.captured_queries)

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


@pytest.mark.parametrize("setting", ["1", "0"])
def test_the_wsgi_entry_point_warms_up_unless_told_not_to(tmp_path, setting):
    """A real process imports the entry point, as granian does; its database is not
    migrated, so the steps that read it fail, are logged, and the process goes on."""
    get_embedder()  # the session's model, built once, lent to the process
    (tmp_path / "models").symlink_to(Path(settings.DATA_DIR) / "models")
    env = {**os.environ, "PAPERFEED_DATA_DIR": str(tmp_path), "PAPERFEED_WARMUP": setting}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", "import paperfeed.wsgi; print('imported')"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"
    if setting == "1":
        assert "web process warmed up" in done.stderr
        assert "warm-up: days failed" in done.stderr  # no tables yet: logged, not raised
    else:
        assert "warm" not in done.stderr
