"""Search is complete by keywords the moment an import commits; vectors follow,
newest papers first, and until they have caught up readers and operators are told.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from paperfeed.catalogue.ingest import Ingestor
from paperfeed.catalogue.models import Paper
from paperfeed.search import vectors
from paperfeed.search.hybrid import RRF_K, search
from paperfeed.search.indexing import missing_embeddings, newest_first
from paperfeed.search.keyword import keyword_row_count
from paperfeed.search.models import PaperEmbedding
from paperfeed.search.status import coverage
from paperfeed.search.tasks import priority
from tests.search.conftest import listing_records, task_backend
from tests.support.paths import LISTINGS

pytestmark = pytest.mark.django_db
DB_QUEUE = "django_tasks_db.DatabaseBackend"


def listing_file(folder: Path, start: int, stop: int) -> tuple[Path, dict]:
    """Lines ``start:stop`` of the shared listings as a file; returns it and its
    newest paper (the file is in listing order)."""
    with gzip.open(LISTINGS, "rt") as source:
        lines = [line for i, line in zip(range(stop), source, strict=False) if i >= start]
    path = folder / "slice.jsonl"
    path.write_text("".join(lines))
    return path, json.loads(lines[-1])


def stats_json() -> dict:
    out = io.StringIO()
    call_command("stats", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_right_after_an_import_the_newest_title_is_found_by_keyword(
    tmp_path, django_capture_on_commit_callbacks
):
    path, newest = listing_file(tmp_path, 400, 520)
    with task_backend(DB_QUEUE):
        with django_capture_on_commit_callbacks(execute=True):  # each batch's commit
            call_command("import", str(path), stdout=io.StringIO())
        stats = stats_json()
    # no worker has run: nothing is embedded, yet every paper has its keyword row
    assert not PaperEmbedding.objects.exists()
    assert stats["index"] == {"keyword": stats["papers"], "embedded": 0}
    assert stats["papers"] == Paper.objects.count() == 120
    assert stats["tasks"]["waiting"] >= 1 and stats["tasks"]["running"] == 0
    hits = search(newest["title"], mode="keyword", limit=3)
    assert hits[0].arxiv_id == newest["id"]
    hits = search(newest["title"], mode="hybrid", limit=3)  # no vectors: keyword alone
    assert hits[0].arxiv_id == newest["id"]
    assert hits[0].score == pytest.approx(2 / (RRF_K + 1))


def test_stats_text_reports_the_index_and_the_queue(tmp_path):
    Ingestor().ingest(listing_records(0, 20))
    out = io.StringIO()
    call_command("stats", stdout=out)
    assert "search index: keyword 20  embedded 0 of 20 papers; tasks waiting" in out.getvalue()


def test_keyword_rows_roll_back_with_a_failed_batch():
    from paperfeed.catalogue.signals import papers_written

    def refuse(sender, records, **kwargs):  # written before this: same transaction
        assert keyword_row_count() == len(records)
        raise RuntimeError("refused")

    papers_written.connect(refuse, dispatch_uid="test.refuse")
    try:
        with pytest.raises(RuntimeError):
            Ingestor().ingest(listing_records(0, 10))
    finally:
        papers_written.disconnect(dispatch_uid="test.refuse")
    assert Paper.objects.count() == 0 and keyword_row_count() == 0


def test_an_updated_paper_is_found_by_its_new_words():
    from paperfeed.sources.records import Version

    record = dataclasses.replace(listing_records(0, 1)[0], versions=[Version(1)])
    Ingestor().ingest([record])
    newer = dataclasses.replace(
        record,
        title="Zymurgical retrieval of quasicrystalline embeddings",
        versions=[Version(1), Version(2)],
    )
    result = Ingestor().ingest([newer])
    assert result.updated == 1
    assert [h.arxiv_id for h in search("zymurgical", mode="keyword")] == [record.arxiv_id]
    assert keyword_row_count() == 1


def test_newer_batches_are_embedded_first(django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    old, new = listing_records(0, 5), listing_records(5, 10)
    today = dt.date.today()
    new = [dataclasses.replace(r, announced=today - dt.timedelta(days=1)) for r in new]
    with task_backend(DB_QUEUE):
        with django_capture_on_commit_callbacks(execute=True):
            first = Ingestor().ingest(old)
        with django_capture_on_commit_callbacks(execute=True):
            second = Ingestor().ingest(new)
        queue = list(DBTaskResult.objects.ready())  # the order a worker takes them
    assert [sorted(t.args_kwargs["args"][0]) for t in queue] == [
        sorted(second.changed_ids),
        sorted(first.changed_ids),
    ]
    assert queue[0].priority == 80 > queue[1].priority
    # within a batch and for reindex --missing, the newest papers first
    ids = first.changed_ids + second.changed_ids
    ordered = newest_first(ids)
    assert set(ordered[:5]) == set(second.changed_ids)
    assert missing_embeddings()[:5] == ordered[:5]


@pytest.mark.parametrize(
    ("age", "expected"), [(0, 100), (1, 80), (3, 60), (7, 40), (30, 1), (365, -70), (5000, -100)]
)
def test_queue_priority_falls_with_the_age_of_the_newest_paper(age, expected):
    today = dt.date(2026, 7, 1)
    assert priority(today - dt.timedelta(days=age), today) == expected
    assert priority(None, today) == -100


def test_hybrid_ranks_a_paper_without_a_vector_by_its_keyword_rank(corpus):
    """While embedding is behind, a paper the meaning half cannot place is not put
    below papers both halves found: its exact title still comes first."""
    paper = Paper.objects.get(id=sorted(corpus.values())[150])
    PaperEmbedding.objects.filter(paper_id=paper.id).delete()
    vectors.forget_state()
    try:
        hits = search(paper.title, mode="hybrid", limit=5)
    finally:
        vectors.forget_state()
    assert hits[0].arxiv_id == paper.arxiv_id
    assert hits[0].keyword_rank == 1 and hits[0].semantic_rank is None
    assert hits[0].score == pytest.approx(2 / (RRF_K + 1))


def test_the_search_page_says_how_much_meaning_search_covers(client, corpus):
    papers = Paper.objects.count()
    assert "meaning search covers" not in client.get("/search", {"q": "robot"}).content.decode()
    PaperEmbedding.objects.filter(paper_id__in=sorted(corpus.values())[:64]).delete()
    vectors.forget_state()
    try:
        assert coverage().embedded == papers - 64
        page = client.get("/search", {"q": "robot"}).content.decode()
        words_only = client.get("/search", {"q": "robot", "mode": "keyword"}).content.decode()
    finally:
        vectors.forget_state()
    assert f"meaning search covers {papers - 64:,} of {papers:,} papers; keyword results" in page
    assert "meaning search covers" not in words_only


def test_the_admin_shows_the_index_and_the_queue(client, corpus, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456")
    client.force_login(admin)
    page = client.get("/admin/search/paperembedding/")
    assert page.status_code == 200
    text = page.content.decode()
    papers = Paper.objects.count()
    assert f'<th scope="row">With keyword rows</th><td>{papers}</td>' in text
    assert f'<th scope="row">With vectors (meaning search)</th><td>{papers}</td>' in text
    assert "Tasks waiting" in text and "Tasks running" in text


def test_the_backend_follows_the_database_and_the_pgvector_setting(settings):
    from paperfeed.search.backends import backend

    assert backend().vendor == connection.vendor
    if connection.vendor == "postgresql":
        settings.PAPERFEED_PGVECTOR = False
        assert not backend().vectors_in_database
        settings.PAPERFEED_PGVECTOR = True
        assert backend().vectors_in_database
    else:
        assert not backend().vectors_in_database


def test_no_search_module_reads_the_environment():
    """Settings are read in settings.py; the embedder's own module is the exception
    (its thread and model-directory settings are handled there)."""
    import paperfeed.search

    root = Path(paperfeed.search.__file__).parent
    readers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "os.environ" in path.read_text() or "getenv" in path.read_text()
    ]
    assert readers in ([], ["embeddings.py"])
