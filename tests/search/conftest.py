"""Search tests share one model session and one indexed corpus slice per module.

The slice (the first 300 papers of the listings in tests/fixtures) is ingested and indexed
once per module outside the per-test transactions, and removed afterwards, so
other test folders never see it. The model embeds it once a session: later modules take
the same vectors from ``slice_vectors`` (``remembered``).
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from django.conf import settings as django_settings

from paperfeed.catalogue.ingest import Ingestor
from paperfeed.sources.jsonl import read_jsonl
from paperfeed.sources.records import PaperRecord
from tests.support.paths import LISTINGS

SLICE = 300


def listing_records(start: int = 0, stop: int = SLICE) -> list[PaperRecord]:
    records = read_jsonl(LISTINGS, limit=stop)
    return [r for i, r in enumerate(records) if i >= start and isinstance(r, PaperRecord)]


@contextlib.contextmanager
def task_backend(path: str):
    """Swap the django-tasks backend (its handler caches the settings it first saw)."""
    from django_tasks import task_backends

    saved = django_settings.TASKS
    django_settings.TASKS = {"default": {"BACKEND": path}}

    def reset() -> None:
        task_backends.__dict__.pop("settings", None)
        task_backends._settings = None  # the handler keeps the first dict it read
        for alias in list(task_backends.settings):
            with contextlib.suppress(AttributeError):
                delattr(task_backends._connections, alias)

    reset()
    try:
        yield
    finally:
        django_settings.TASKS = saved
        reset()


@contextlib.contextmanager
def without_index_signal():
    from paperfeed.catalogue.signals import papers_changed
    from paperfeed.search.tasks import on_papers_changed

    papers_changed.disconnect(dispatch_uid="paperfeed.search.index")
    try:
        yield
    finally:
        papers_changed.connect(on_papers_changed, dispatch_uid="paperfeed.search.index")


@pytest.fixture(scope="session")
def embedder(tmp_path_factory):
    """The process's embedder, its ONNX file built once for the whole session."""
    from paperfeed.search.embeddings import get_embedder

    saved = django_settings.DATA_DIR
    django_settings.DATA_DIR = tmp_path_factory.mktemp("search-model")
    try:
        return get_embedder()
    finally:
        django_settings.DATA_DIR = saved


@contextlib.contextmanager
def remembered(embedder, memo: dict[str, np.ndarray]):  # type: ignore[no-untyped-def]
    """``embedder.embed`` answering from ``memo`` and running the model only for texts
    it has not seen; the instance's own method again afterwards."""
    model = embedder.embed

    def embed(texts, batch_size: int = 1) -> np.ndarray:  # type: ignore[no-untyped-def]
        unseen = [t for t in dict.fromkeys(texts) if t not in memo]
        if unseen:
            memo.update(zip(unseen, model(unseen, batch_size=batch_size), strict=True))
        return np.vstack([memo[t] for t in texts]) if texts else model(texts)

    embedder.embed = embed
    try:
        yield
    finally:
        del embedder.embed


@pytest.fixture(scope="module")
def corpus(django_db_setup, django_db_blocker, embedder, slice_vectors):
    """The slice ingested and indexed (keyword rows and embeddings); yields arXiv id -> pk."""
    from paperfeed.catalogue.models import Author, Category, Paper
    from paperfeed.codelinks.models import CodeRepository
    from paperfeed.search import keyword, vectors
    from paperfeed.search.indexing import index_papers_now

    with django_db_blocker.unblock():
        authors_before = Author.objects.order_by("-id").values_list("id", flat=True).first() or 0
        categories_before = set(Category.objects.values_list("code", flat=True))
        repositories_before = (
            CodeRepository.objects.order_by("-id").values_list("id", flat=True).first() or 0
        )
        with without_index_signal():
            result = Ingestor().ingest(listing_records())
        with remembered(embedder, slice_vectors):
            index_papers_now(result.changed_ids)
        papers = dict(Paper.objects.filter(id__in=result.changed_ids).values_list("arxiv_id", "id"))
    vectors.clear_caches()
    yield papers
    with django_db_blocker.unblock():
        ids = list(papers.values())
        Paper.objects.filter(id__in=ids).delete()  # cascades to embeddings; trigger to FTS
        keyword.clear_keyword_index()
        Author.objects.filter(id__gt=authors_before).delete()
        Category.objects.exclude(code__in=categories_before).delete()
        CodeRepository.objects.filter(id__gt=repositories_before).delete()
    vectors.clear_caches()
