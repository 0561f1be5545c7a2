"""Keyword search with a category filter follows the papers' categories wherever they
change: on PostgreSQL the keyword rows hold them (``backends.postgres.category_terms``),
so changing a paper's categories one by one rewrites its row, and rows written before
the categories were kept there get them from the search app's migration 0003."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from paperfeed.catalogue.models import Category, Paper
from paperfeed.search.filters import Filters
from paperfeed.search.keyword import keyword_search
from tests.support.lexemes import marked_lexemes

pytestmark = pytest.mark.django_db

ON_POSTGRES = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL rows")


def found(query: str, *codes: str) -> set[int]:
    return {pk for pk, _ in keyword_search(query, Filters(codes), limit=1000)}


def a_paper_outside(corpus, code: str) -> tuple[Paper, str]:
    """A paper not in ``code``, and a word of its title that finds it."""
    for paper in Paper.objects.filter(id__in=corpus.values()).exclude(categories=code):
        for word in paper.title.split():
            if word.isalpha() and len(word) > 7 and paper.pk in found(word):
                return paper, word
    raise AssertionError("no paper outside the category")


def test_a_category_added_or_removed_one_by_one_is_searchable_at_once(corpus):
    paper, word = a_paper_outside(corpus, "q-bio.NC")
    neurons = Category.objects.get_or_create(code="q-bio.NC", defaults={"name": "Neurons"})[0]
    assert paper.pk not in found(word, "q-bio.NC") | found(word, "q-bio")
    paper.categories.add(neurons)
    assert paper.pk in found(word, "q-bio.NC") and paper.pk in found(word, "q-bio")
    paper.categories.remove(neurons)
    assert paper.pk not in found(word, "q-bio.NC") | found(word, "q-bio")
    neurons.papers.add(paper)  # from the category's side
    assert paper.pk in found(word, "q-bio.NC")
    neurons.papers.clear()
    assert paper.pk not in found(word, "q-bio.NC")


def test_hostile_category_codes_find_nothing_and_never_raise(corpus):
    for code in ("'", "\\", "cs.'LG", "a b", "!", "& |", "#cs", "cs.LG:*"):
        assert found("model", code) == set()


def category_lexemes(pk: int) -> list[str]:
    return marked_lexemes(pk, "#")


@ON_POSTGRES
def test_keyword_rows_hold_each_category_and_its_archive(corpus):
    paper = Paper.objects.filter(id__in=corpus.values(), categories__code__contains=".").first()
    codes = sorted(paper.categories.values_list("code", flat=True))
    archives = {code.split(".")[0] for code in codes}
    assert category_lexemes(paper.pk) == sorted({f"#{c}" for c in [*codes, *archives]})


@ON_POSTGRES
def test_the_migration_gives_older_rows_their_categories(corpus):
    paper, word = a_paper_outside(corpus, "cs.RO")
    code = paper.categories.values_list("code", flat=True).first()
    with connection.cursor() as cursor:  # a row as written before categories were kept
        cursor.execute(
            "UPDATE search_paperfts d SET document = ts_delete(d.document, ARRAY("
            " SELECT u.lexeme FROM unnest(d.document) u WHERE u.lexeme LIKE '#%%'))"
        )
    assert category_lexemes(paper.pk) == [] and paper.pk not in found(word, code)
    migration = importlib.import_module("paperfeed.search.migrations.0003_category_terms")
    for _ in range(2):  # running it again changes nothing
        with connection.schema_editor() as editor:
            migration.add_terms(None, editor)
        assert f"#{code}" in category_lexemes(paper.pk)
        assert paper.pk in found(word, code)


@ON_POSTGRES
def test_truncating_the_papers_empties_the_keyword_rows(corpus):
    """Keyword reads do not join the paper table (a row's paper exists): TRUNCATE,
    which fires no row trigger, must not leave rows behind (it did, under the test
    suite's flushes, and searches then counted papers that were gone)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM search_paperfts")
        assert cursor.fetchone()[0] >= len(corpus)
        cursor.execute("TRUNCATE catalogue_paper CASCADE")  # undone with the test
        cursor.execute("SELECT COUNT(*) FROM search_paperfts")
        assert cursor.fetchone()[0] == 0
