"""Embedding rows hold their papers' categories and archives (``PaperEmbedding.categories``)
wherever those change: written with a new vector, taken from an import that changes an
embedded paper, rewritten when categories change one by one, and given to older rows by
the search app's migration 0005. On PostgreSQL vector search tests a category filter
on this list, and a big category's own HNSW index is built on it (``test_pgvector``)."""

from __future__ import annotations

import dataclasses
import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from paperfeed.catalogue.ingest import Ingestor, load_record
from paperfeed.catalogue.models import Category, Paper
from paperfeed.search import categories
from paperfeed.search.filters import Filters, category_predicate, codes_and_archives
from paperfeed.search.models import PaperEmbedding

pytestmark = pytest.mark.django_db


def held(pk: int) -> list[str]:
    return PaperEmbedding.objects.get(paper_id=pk).categories


def catalogue(pk: int) -> list[str]:
    return codes_and_archives(Paper.objects.get(pk=pk).categories.values_list("code", flat=True))


def test_codes_and_archives():
    assert codes_and_archives(["cs.LG", " stat.ML ", "cs.CL", "hep-th", "", "cs.LG"]) == [
        "cs",
        "cs.CL",
        "cs.LG",
        "hep-th",
        "stat",
        "stat.ML",
    ]


def test_new_embeddings_hold_their_papers_categories(corpus):
    pks = sorted(corpus.values())
    assert all(held(pk) == catalogue(pk) for pk in pks)
    assert any("." in code for pk in pks for code in held(pk))  # codes and archives


def test_categories_changed_one_by_one_follow_at_once(corpus):
    pk = sorted(corpus.values())[5]
    paper = Paper.objects.get(pk=pk)
    neurons = Category.objects.get_or_create(code="q-bio.NC", defaults={"name": "Neurons"})[0]
    assert "q-bio.NC" not in held(pk)
    paper.categories.add(neurons)
    assert {"q-bio", "q-bio.NC"} <= set(held(pk)) and held(pk) == catalogue(pk)
    paper.categories.remove(neurons)
    assert "q-bio" not in held(pk) and held(pk) == catalogue(pk)
    neurons.papers.add(paper)  # from the category's side
    assert "q-bio.NC" in held(pk)
    neurons.papers.clear()
    assert "q-bio.NC" not in held(pk) and held(pk) == catalogue(pk)


def test_an_import_changing_an_embedded_papers_categories_rewrites_its_row(corpus):
    pk = sorted(corpus.values())[7]
    record = load_record(Paper.objects.get(pk=pk).arxiv_id)
    moved = dataclasses.replace(record, categories=["math.ST", "stat.TH"])
    before = PaperEmbedding.objects.get(paper_id=pk)
    assert Ingestor().ingest([moved]).updated == 1
    after = PaperEmbedding.objects.get(paper_id=pk)
    assert {"math", "math.ST", "stat", "stat.TH"} <= set(after.categories)  # merged in
    assert after.categories == catalogue(pk)
    assert bytes(after.vector) == bytes(before.vector)  # same text: not embedded again


def test_only_rows_whose_list_differs_are_written(corpus):
    pks = sorted(corpus.values())[:20]
    assert categories.refresh_embedding_categories(pks) == 0
    PaperEmbedding.objects.filter(paper_id__in=pks[:3]).update(categories=["old"])
    assert categories.refresh_embedding_categories(pks) == 3
    assert all(held(pk) == catalogue(pk) for pk in pks)


def test_the_migration_gives_older_rows_their_categories(corpus):
    pks = sorted(corpus.values())
    PaperEmbedding.objects.update(categories=[])  # as rows were before the column
    migration = importlib.import_module("paperfeed.search.migrations.0005_embedding_categories")
    editor = SimpleNamespace(connection=connection)  # all fill() uses (SQLite's own
    for _ in range(2):  # refuses inside the test's transaction); a second run changes nothing
        migration.fill(None, editor)
        assert all(held(pk) == catalogue(pk) for pk in pks)


def test_a_filter_is_tested_on_the_row_and_hostile_codes_match_nothing():
    join, where, params = Filters(("cs.CL",)).embedding_sql("e", "p")
    assert (join, params) == ("", [])  # no join to the papers without a date
    assert where == """ AND e.categories @> '["cs.CL"]'::jsonb"""
    join, where, _ = Filters(("cs", "stat.ML")).embedding_sql("e", "p")
    assert " OR " in where and "'[\"cs\"]'" in where and "'[\"stat.ML\"]'" in where
    for code in ("'", "\\", "cs.'LG", "a b", '"]', "cs.LG'::jsonb OR TRUE --", "%s", "\x00"):
        assert category_predicate(code, "e") == "FALSE"
