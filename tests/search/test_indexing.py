from __future__ import annotations

import json

import numpy as np
import pytest
from django.core.management import call_command

from paperfeed.catalogue.ingest import Ingestor
from paperfeed.catalogue.models import Paper
from paperfeed.search import vectors
from paperfeed.search.embeddings import MODEL_NAME
from paperfeed.search.filters import Filters
from paperfeed.search.hybrid import search
from paperfeed.search.indexing import missing_embeddings
from paperfeed.search.keyword import keyword_index_missing
from paperfeed.search.models import PaperEmbedding
from paperfeed.search.similar import similar
from tests.search.conftest import SLICE, listing_records, task_backend

pytestmark = pytest.mark.django_db


def test_new_papers_become_searchable_after_the_task_runs(
    corpus, django_capture_on_commit_callbacks
):
    new = listing_records(SLICE, SLICE + 12)
    assert new
    immediate = "django_tasks.backends.immediate.ImmediateBackend"
    with task_backend(immediate), django_capture_on_commit_callbacks(execute=True):
        result = Ingestor().ingest(new)
    assert result.created == len(new)
    assert PaperEmbedding.objects.filter(paper_id__in=result.changed_ids).count() == len(new)
    for record in new[:3]:
        for mode in ("keyword", "semantic", "hybrid"):
            found = [h.arxiv_id for h in search(record.title, mode=mode, limit=3)]
            assert record.arxiv_id in found, (mode, record.title)


def test_ingest_enqueues_into_the_database_queue_and_the_worker_indexes(
    corpus, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from paperfeed.search.tasks import index_papers

    new = listing_records(SLICE + 20, SLICE + 24)
    with task_backend("django_tasks_db.DatabaseBackend"):
        with django_capture_on_commit_callbacks(execute=True):
            result = Ingestor().ingest(new)
        queued = DBTaskResult.objects.filter(task_path__endswith="index_papers")
        assert queued.count() == 1
        assert sorted(queued.get().args_kwargs["args"][0]) == sorted(result.changed_ids)
        assert not PaperEmbedding.objects.filter(paper_id__in=result.changed_ids).exists()
        # what the worker runs:
        assert index_papers.call(result.changed_ids) == len(new)
    assert PaperEmbedding.objects.filter(paper_id__in=result.changed_ids).count() == len(new)


def test_reindex_missing_fills_gaps(corpus):
    some = sorted(corpus.values())[:5]
    PaperEmbedding.objects.filter(paper_id__in=some).delete()
    from django.db import connection

    from paperfeed.search.keyword import keyword_table

    table, key = keyword_table()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {key} IN ({', '.join(['%s'] * 3)})", some[:3])
    assert set(missing_embeddings()) >= set(some)
    assert set(keyword_index_missing()) >= set(some[:3])
    call_command("reindex", "--missing", "--batch-size", "2")
    assert not set(missing_embeddings()) & set(some)
    assert not set(keyword_index_missing()) & set(some)
    title = Paper.objects.get(id=some[0]).title
    assert search(title, mode="keyword", limit=1)[0].paper_id == some[0]


def test_missing_papers_are_found_by_an_anti_join(corpus):
    """``reindex --missing`` must stay linear at a million papers: PostgreSQL runs
    ``NOT IN (subquery)`` as a per-paper scan of every vector's id once those ids
    outgrow ``work_mem`` (it ran for minutes there), an anti-join reads each table
    once. The plan is read with ``work_mem`` at its floor, as a big table would find it."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    gone = sorted(corpus.values())[:2]
    PaperEmbedding.objects.filter(paper_id__in=gone).delete()
    with CaptureQueriesContext(connection) as queries:
        assert set(missing_embeddings()) >= set(gone)
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "NOT EXISTS" in sql.upper(), sql
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '64kB'")
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Anti Join" in plan and "SubPlan" not in plan, plan


def test_full_reindex_rebuilds_everything(corpus):
    keep = sorted(corpus.values())[:6]
    Paper.objects.exclude(id__in=keep).delete()
    PaperEmbedding.objects.all().delete()
    PaperEmbedding.objects.create(paper_id=keep[0], model_name="old-model", vector=b"\0" * 1536)
    call_command("reindex", "--batch-size", "4")
    assert PaperEmbedding.objects.filter(model_name=MODEL_NAME).count() == 6
    assert not PaperEmbedding.objects.exclude(model_name=MODEL_NAME).exists()
    assert keyword_index_missing() == []


def test_ann_index_above_the_threshold_matches_exact_search(
    corpus, monkeypatch, settings, embedder
):
    if vectors.use_pgvector():
        pytest.skip("the hnswlib file is the in-process path; pgvector has its own HNSW")
    queries = embedder.embed(["image segmentation", "language model alignment", "robot grasping"])
    exact = [vectors.vector_search(q, limit=10) for q in queries]
    settings.PAPERFEED_ANN_THRESHOLD = 100
    seen = []
    assert "vectors added" in vectors.sync_ann_index(progress=lambda *a: seen.append(a))
    assert seen and seen[-1][0] == seen[-1][1] == vectors.TableState.read().count
    assert vectors.ann_index() is not None
    approx = [vectors.vector_search(q, limit=10) for q in queries]
    recall = np.mean(
        [
            len({p for p, _ in a} & {p for p, _ in e}) / 10
            for a, e in zip(approx, exact, strict=True)
        ]
    )
    assert recall >= 0.9
    # filters inside the ANN search
    hits = vectors.vector_search(queries[0], limit=5, filters=Filters(("cs",)))
    assert len(hits) == 5
    # similar papers (a stored vector among the indexed ones) use the narrower beam
    beams = []
    search = vectors.AnnIndex.search
    monkeypatch.setattr(
        vectors.AnnIndex, "search", lambda self, *a: beams.append(a[3]) or search(self, *a)
    )
    assert len(similar(Paper.objects.get(id=sorted(corpus.values())[5]).arxiv_id, limit=4)) == 4
    assert vectors.vector_search(queries[0], limit=3)
    assert beams == [vectors.HNSW_EF_SIMILAR, None]
    monkeypatch.setattr(vectors.AnnIndex, "search", search)
    # a vector written after the index file is found through the delta
    paper_id = sorted(corpus.values())[0]
    PaperEmbedding.objects.filter(paper_id=paper_id).update(vector=vectors.to_bytes(queries[2]))
    PaperEmbedding.objects.filter(paper_id=paper_id).first().save()  # bump updated_at
    vectors.forget_state()  # another process would see it within the state TTL
    assert vectors.vector_search(queries[2], limit=1)[0][0] == paper_id
    assert "1 newer vectors scored exactly" in vectors.sync_ann_index(min_new=10)
    assert vectors.vector_search(queries[2], limit=1)[0][0] == paper_id
    assert "vectors added" in vectors.sync_ann_index()
    assert vectors.vector_search(queries[2], limit=1)[0][0] == paper_id


def test_similar_needs_no_model_at_request_time(corpus, monkeypatch):
    from paperfeed.search import embeddings
    from paperfeed.search.similar import similar

    def boom(*args, **kwargs):
        raise AssertionError("embedding in a request")

    monkeypatch.setattr(embeddings.Embedder, "embed", boom)
    assert len(similar(Paper.objects.get(id=sorted(corpus.values())[1]).arxiv_id, limit=3)) == 3


def test_unchanged_text_is_not_embedded_again(corpus, django_capture_on_commit_callbacks):
    import dataclasses

    from paperfeed.catalogue.ingest import load_record
    from paperfeed.sources.records import Version

    paper_id = sorted(corpus.values())[30]
    arxiv_id = Paper.objects.get(id=paper_id).arxiv_id
    before = PaperEmbedding.objects.get(paper_id=paper_id)
    record = load_record(arxiv_id)
    immediate = "django_tasks.backends.immediate.ImmediateBackend"
    v2 = dataclasses.replace(record, comments="accepted at a venue", versions=[Version(2)])
    with task_backend(immediate), django_capture_on_commit_callbacks(execute=True):
        assert Ingestor().ingest([v2]).updated == 1
    same = PaperEmbedding.objects.get(paper_id=paper_id)
    assert (same.updated_at, bytes(same.vector)) == (before.updated_at, bytes(before.vector))
    v3 = dataclasses.replace(record, abstract="A different abstract.", versions=[Version(3)])
    with task_backend(immediate), django_capture_on_commit_callbacks(execute=True):
        assert Ingestor().ingest([v3]).updated == 1
    changed = PaperEmbedding.objects.get(paper_id=paper_id)
    assert bytes(changed.vector) != bytes(before.vector)
    assert changed.updated_at > before.updated_at


def test_index_built_in_chunks_reports_progress_and_is_read_back(tmp_path):
    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((100, vectors.DIMENSIONS)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    ids = np.arange(1000, 1100)
    index = vectors.new_index(vectors.index_capacity(len(ids)))
    seen = []
    vectors.add_vectors(index, ids, matrix, progress=lambda *a: seen.append(a), chunk=30)
    assert seen == [(30, 100), (60, 100), (90, 100), (100, 100)]
    path = tmp_path / "test.hnsw"
    vectors.save_index(index, path, vectors.index_capacity(len(ids)), None)
    loaded = vectors.AnnIndex(path, json.loads(path.with_suffix(".json").read_text()), "test")
    assert loaded.index.get_current_count() == 100
    labels, _ = loaded.index.knn_query(matrix[7], k=1)
    assert labels[0][0] == 1007


def test_the_vector_count_is_read_again_rarely_past_twice_the_exact_size(
    corpus, monkeypatch, settings
):
    """Counting a million rows took 90 ms; past twice the exact-search size the count
    only picks the search path, so it is read once a minute (COUNT_TTL)."""
    settings.PAPERFEED_VECTOR_STATE_TTL = 0.0  # every read goes to the database
    settings.PAPERFEED_ANN_THRESHOLD = 10  # 300 vectors > 2 x 10
    vectors.forget_state()
    try:
        first = vectors.TableState.read()
        gone = sorted(corpus.values())[5]
        PaperEmbedding.objects.filter(paper_id=gone).delete()
        assert vectors.TableState.read().count == first.count  # kept
        monkeypatch.setattr(vectors, "COUNT_TTL", 0.0)
        assert vectors.TableState.read().count == first.count - 1  # expired: counted
        monkeypatch.setattr(vectors, "COUNT_TTL", 60.0)
        settings.PAPERFEED_ANN_THRESHOLD = 1000  # exact search: always counted
        PaperEmbedding.objects.filter(paper_id=sorted(corpus.values())[6]).delete()
        assert vectors.TableState.read().count == first.count - 2
    finally:
        vectors.forget_state()
