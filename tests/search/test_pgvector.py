"""pgvector's HNSW path on PostgreSQL (skipped elsewhere, and with PAPERFEED_PGVECTOR=0).

The search corpus is too small for the planner to pick the HNSW index, so these
tests store enough synthetic vectors (clustered, as embeddings are) that it does,
and check the index is used, with filters and wide pages, against exact search.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from django.db import connection

from paperfeed.catalogue.models import Category, Paper
from paperfeed.search import vectors
from paperfeed.search.backends import postgres
from paperfeed.search.embeddings import DIMENSIONS, MODEL_NAME
from paperfeed.search.filters import Filters, codes_and_archives
from paperfeed.search.models import PaperEmbedding

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not vectors.use_pgvector(), reason="pgvector on PostgreSQL only"),
]

N = 3000
COMMON = "hnsw.COMMON"
RARE = "hnsw.RARE"  # one paper in 10: HNSW alone finds about 4 in its first 40


@pytest.fixture(scope="module")
def stored(django_db_setup, django_db_blocker):
    """(ids, unit vectors, ids in the rare category) for N papers, statistics fresh.

    Stored once for the module (HNSW inserts take seconds) and removed afterwards.
    """
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(40, DIMENSIONS))
    matrix = centres[rng.integers(0, 40, N)] + 0.6 * rng.normal(size=(N, DIMENSIONS))
    matrix = (matrix / np.linalg.norm(matrix, axis=1, keepdims=True)).astype(np.float32)
    through = Paper.categories.through
    with django_db_blocker.unblock():
        common = Category.objects.get_or_create(code=COMMON)[0]
        rare = Category.objects.get_or_create(code=RARE)[0]
        papers = Paper.objects.bulk_create(
            Paper(
                arxiv_id=f"hnsw.{i:05d}",
                title=f"synthetic paper {i}",
                abs_url=f"https://example.org/abs/{i}",
                pdf_url=f"https://example.org/pdf/{i}",
                announced=dt.date(2025, 1, 1) + dt.timedelta(days=i % 300),
            )
            for i in range(N)
        )
        ids = np.asarray([p.id for p in papers], dtype=np.int64)
        through.objects.bulk_create(
            through(paper_id=p.id, category_id=(rare if i % 10 == 0 else common).code)
            for i, p in enumerate(papers)
        )
        PaperEmbedding.objects.bulk_create(
            PaperEmbedding(
                paper_id=pk,
                model_name=MODEL_NAME,
                vector=vectors.to_bytes(v),
                pgvector=v,
                categories=codes_and_archives([RARE if i % 10 == 0 else COMMON]),
            )
            for i, (pk, v) in enumerate(zip(ids.tolist(), matrix, strict=True))
        )
        vectors.sync_ann_index()  # as the indexing task does: creates the HNSW index
        with connection.cursor() as cursor:
            for model in (PaperEmbedding, Paper, through):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    vectors.clear_caches()
    yield ids, matrix, set(ids[::10].tolist())
    with django_db_blocker.unblock():
        Paper.objects.filter(id__in=ids.tolist()).delete()  # cascades to the embeddings
        Category.objects.filter(code__in=[COMMON, RARE]).delete()
    vectors.clear_caches()


def exact(ids, matrix, query, limit, allowed=None):
    scores = matrix @ query
    order = np.argsort(-scores)
    ranked = [int(ids[i]) for i in order if allowed is None or int(ids[i]) in allowed]
    return ranked[:limit]


def recall(found, truth):
    return len({pk for pk, _ in found} & set(truth)) / len(truth)


def search_sql(query, **kwargs):
    """The statements vector_search sends, and its result."""
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        found = vectors.vector_search(query, **kwargs)
    return sent, found


def the_select(sent):
    (select,) = [(sql, params) for sql, params in sent if "<=>" in sql]
    return select


def plan(sql, params):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_writing_vectors_creates_the_hnsw_index(stored):
    """The backend creates the index once vectors are written (the migration no longer
    does, so it never depends on the environment at migrate time)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_embedding_hnsw'")
        (definition,) = cursor.fetchone()
    assert "USING hnsw (pgvector vector_cosine_ops)" in definition


def test_search_uses_the_index_and_finds_the_nearest(stored):
    ids, matrix, _ = stored
    queries = matrix[[3, 1500, 2999]] + 0.01
    for query in queries:
        # ef 40 as for similar papers: at the default text-query beam (400) the planner
        # rightly sorts a 3,000-row table instead (it weighs ef_search in its costs)
        sent, found = search_sql(query, limit=10, ef=40)
        assert "search_embedding_hnsw" in plan(*the_select(sent))
        assert recall(found, exact(ids, matrix, query, 10)) >= 0.9
        assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)


def test_a_small_filter_is_scored_exactly_without_the_index(stored):
    """A filter of at most ``database_exact_size`` papers: the index would walk about
    ef / (its share) of the graph and stop at its scan limit; its vectors are scored
    exactly instead, as on SQLite."""
    ids, matrix, rare = stored
    assert len(rare) <= vectors.database_exact_size(len(ids))
    for query in matrix[[10, 1234]] + 0.01:
        sent, found = search_sql(query, limit=10, filters=Filters((RARE,)))
        assert not any("<=>" in sql for sql, _ in sent)
        assert [pk for pk, _ in found] == exact(ids, matrix, query, 10, rare)


def test_a_rare_category_still_fills_the_page(stored, monkeypatch):
    """Iterative scans: without them HNSW returns its ef_search nearest, then filters.

    A filter beyond the exact size goes through the index (forced here: the category
    is small enough to score exactly). On a table this small the planner may rank the
    category's rows exactly instead (as it should); forbidding the sort makes it take
    the index, as it does at scale.
    """
    monkeypatch.setattr(vectors, "filter_exact_size", lambda count: 0)
    ids, matrix, rare = stored
    query = matrix[10]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")  # until the test's rollback
    sent, found = search_sql(query, limit=10, filters=Filters((RARE,)))
    assert "search_embedding_hnsw" in plan(*the_select(sent))
    assert len(found) == 10
    assert {pk for pk, _ in found} <= rare
    assert recall(found, exact(ids, matrix, query, 10, rare)) >= 0.9
    # The widest beam, a deeper read than the page, sorted here: an iterative scan in
    # relaxed order returns rows only roughly nearest first.
    assert f"SET LOCAL hnsw.ef_search = {postgres.FILTERED_EF_SEARCH}" in [s for s, _ in sent]
    assert the_select(sent)[1][-1] == postgres.FILTERED_DEPTH
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)


def test_a_twentieth_of_the_table_is_scored_exactly_on_postgresql(stored, monkeypatch):
    """pgvector's filtered scans miss a small category's nearest papers far more often
    than hnswlib's filtered search: a filter of up to a twentieth of the vectors is
    scored exactly whatever the hnswlib bound says (here forced to nothing)."""
    monkeypatch.setattr(vectors, "filter_exact_size", lambda count: 0)
    ids, matrix, _ = stored
    assert vectors.database_exact_size(N) == N // 20
    days = {pk: dt.date(2025, 1, 1) + dt.timedelta(days=i % 300) for i, pk in enumerate(ids)}
    for span, scored_exactly in ((14, True), (29, False)):  # 150 papers, then 300
        start = dt.date(2025, 2, 1)
        window = Filters(date_from=start, date_to=start + dt.timedelta(days=span))
        inside = {pk for pk, day in days.items() if window.date_from <= day <= window.date_to}
        assert (len(inside) <= N // 20) == scored_exactly
        query = matrix[sorted(inside)[3] == ids][0] + 0.01
        sent, found = search_sql(query, limit=10, filters=window)
        assert any("<=>" in sql for sql, _ in sent) != scored_exactly
        if scored_exactly:
            assert [pk for pk, _ in found] == exact(ids, matrix, query, 10, inside)
        assert {pk for pk, _ in found} <= inside


def test_a_wide_page_widens_ef_search(stored, settings):
    settings.PAPERFEED_PG_EF_SEARCH = 200  # below the page's 2 x 300
    ids, matrix, _ = stored
    sent, found = search_sql(matrix[20], limit=300)
    assert ("SET LOCAL hnsw.ef_search = 600", None) in [(s, p or None) for s, p in sent]
    narrow, _ = search_sql(matrix[20], limit=10)  # a text query's beam
    assert "SET LOCAL hnsw.ef_search = 200" in [s for s, _ in narrow]
    similar, _ = search_sql(matrix[20], limit=10, ef=vectors.HNSW_EF_SIMILAR)
    assert f"SET LOCAL hnsw.ef_search = {vectors.HNSW_EF_SIMILAR}" in [s for s, _ in similar]
    assert len(found) == 300
    assert recall(found, exact(ids, matrix, matrix[20], 300)) >= 0.9


def test_paging_and_excludes(stored):
    ids, matrix, _ = stored
    query = matrix[40]
    first = vectors.vector_search(query, limit=10)
    second = vectors.vector_search(query, limit=10, offset=10)
    assert not {pk for pk, _ in first} & {pk for pk, _ in second}
    skip = {pk for pk, _ in first[:3]}
    assert [pk for pk, _ in vectors.vector_search(query, limit=7, exclude=skip)] == [
        pk for pk, _ in first[3:]
    ]


def test_reindex_missing_completes_rows_written_without_pgvector(stored):
    """Switching PAPERFEED_PGVECTOR from 0 to 1: rows written meanwhile have no pgvector
    value and no index was made; ``reindex --missing`` repairs both."""
    from django.core.management import call_command

    ids, matrix, _ = stored
    chosen = ids[100:140].tolist()
    PaperEmbedding.objects.filter(paper_id__in=chosen).update(pgvector=None)
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX search_embedding_hnsw")
    query = matrix[120]
    assert chosen[20] not in [pk for pk, _ in vectors.vector_search(query, limit=5)]

    out = io.StringIO()
    call_command("reindex", "--missing", stdout=out)

    assert "pgvector filled 40" in out.getvalue()
    assert not PaperEmbedding.objects.filter(paper_id__in=chosen, pgvector=None).exists()
    stored_vector = PaperEmbedding.objects.get(paper_id=chosen[20]).pgvector
    assert np.allclose(np.asarray(stored_vector), matrix[120], atol=1e-6)
    test_writing_vectors_creates_the_hnsw_index(stored)
    assert vectors.vector_search(query, limit=1)[0][0] == chosen[20]
    assert vectors.complete_pgvector() == 0  # idempotent


def test_a_big_category_is_searched_in_an_index_of_its_own(stored, monkeypatch):
    """A category searched through the index gets a partial HNSW index of its own rows:
    the query's test on the row matches the index's predicate, so the planner uses it,
    and with nothing filtered out the ordinary beam serves. Here RARE (a tenth of the
    table) is between the bounds; COMMON and the archive (nine tenths, all) are not."""
    monkeypatch.setattr(vectors, "filter_exact_size", lambda count: 0)
    monkeypatch.setattr(vectors, "database_exact_size", lambda count: count // 20)
    ids, matrix, rare = stored
    search_backend = postgres.PostgresBackend()
    name = postgres.category_index_name(RARE)
    assert name not in search_backend.category_indexes()
    assert search_backend.ensure_category_indexes(N // 20, N * 3 // 4) == [RARE]
    assert search_backend.category_indexes()[name] is True
    assert search_backend.ensure_category_indexes(N // 20, N * 3 // 4) == []  # built once
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        (definition,) = cursor.fetchone()
        cursor.execute("SET LOCAL enable_sort = off")  # as at scale (see above)
    assert "hnsw (pgvector vector_cosine_ops)" in definition and RARE in definition
    for row in (10, 20, 1230):
        query = matrix[row] + 0.01
        sent, found = search_sql(query, limit=10, filters=Filters((RARE,)))
        select = the_select(sent)
        assert name in plan(*select)
        beam = max(postgres.pg_ef_search(10), postgres.OWN_INDEX_EF_SEARCH)
        assert beam < postgres.FILTERED_EF_SEARCH  # not the filtered scan's
        assert f"SET LOCAL hnsw.ef_search = {beam}" in [s for s, _ in sent]
        assert select[1][-1] == 10  # the page, not FILTERED_DEPTH
        assert {pk for pk, _ in found} <= rare and len(found) == 10
        assert recall(found, exact(ids, matrix, query, 10, rare)) >= 0.9
    # Two categories, or a date besides, are not the index's predicate: the wide beam.
    sent, _ = search_sql(matrix[10], limit=10, filters=Filters((RARE, COMMON)))
    assert the_select(sent)[1][-1] == postgres.FILTERED_DEPTH


def test_the_table_wide_size_bounds_choose_the_categories(stored, monkeypatch):
    """``vectors.ensure_category_indexes``: above the exact-search size (a twentieth),
    at most three quarters of the table; a process looks again only after ``min_new``
    more vectors."""
    monkeypatch.setattr(vectors, "filter_exact_size", lambda count: 0)
    vectors.clear_caches()
    assert vectors.ensure_category_indexes() == [RARE]
    assert vectors.ensure_category_indexes(min_new=100) == []  # looked already
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {postgres.category_index_name(RARE)}")
    assert vectors.ensure_category_indexes(min_new=100) == []  # not yet 100 new
    assert vectors.ensure_category_indexes() == [RARE]


def test_an_invalid_index_is_built_again_and_not_trusted_meanwhile(stored, monkeypatch):
    """A concurrent build that failed leaves an invalid index: searches take the wide
    beam, and the next look drops it and builds it again."""
    monkeypatch.setattr(vectors, "filter_exact_size", lambda count: 0)
    ids, matrix, _ = stored
    search_backend = postgres.PostgresBackend()
    name = postgres.category_index_name(RARE)
    assert search_backend.ensure_category_indexes(N // 20, N * 3 // 4) == [RARE]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_index SET indisvalid = false WHERE indexrelid = %s::regclass", [name]
        )
    assert search_backend.category_indexes()[name] is False
    sent, _ = search_sql(matrix[10], limit=10, filters=Filters((RARE,)))
    assert the_select(sent)[1][-1] == postgres.FILTERED_DEPTH
    assert search_backend.ensure_category_indexes(N // 20, N * 3 // 4) == [RARE]
    assert search_backend.category_indexes()[name] is True


def test_one_process_builds_at_a_time(stored):
    """Another process holding the build lock: this one returns at once, building
    nothing (its workers would otherwise build the same index side by side)."""
    import psycopg

    other = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    try:
        other.execute("SELECT pg_advisory_lock(hashtext(%s))", [postgres.CATEGORY_INDEX_PREFIX])
        search_backend = postgres.PostgresBackend()
        assert search_backend.ensure_category_indexes(N // 20, N * 3 // 4) == []
        assert postgres.category_index_name(RARE) not in search_backend.category_indexes()
        # Released by a statement, which returns once it is: a closed connection's
        # locks are let go by its server process a moment later, a race.
        other.execute("SELECT pg_advisory_unlock(hashtext(%s))", [postgres.CATEGORY_INDEX_PREFIX])
    finally:
        other.close()
    assert search_backend.ensure_category_indexes(N // 20, N * 3 // 4) == [RARE]


def test_a_build_outside_a_transaction_is_concurrent(stored, monkeypatch):
    """Outside a transaction (a worker's task, ``reindex --missing``) the build does not
    lock out the writers of embeddings: ``CREATE INDEX CONCURRENTLY``."""
    sent = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        if sql.startswith("CREATE INDEX"):
            return None  # the statement is what is checked; the test's transaction stays
        return execute(sql, params, many, context)

    from django.db import connections

    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    with connection.execute_wrapper(record):
        built = postgres.PostgresBackend().ensure_category_indexes(N // 20, N * 3 // 4)
    assert built == [RARE]
    (create,) = [sql for sql in sent if sql.startswith("CREATE INDEX")]
    assert create.startswith("CREATE INDEX CONCURRENTLY ")
