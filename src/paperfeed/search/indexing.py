"""Writing the search indexes: keyword rows and embeddings, batch by batch.

Keyword rows are written with the papers (in the ingest transaction); embeddings
follow in workers, newest papers first. Every step is idempotent: running it twice
for the same papers rewrites the same rows. Papers without an embedding for the
current model are found by :func:`missing_embeddings`, so an interrupted run resumes
with ``reindex --missing``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence

from django.db import transaction
from django.db.models import Exists, F, OuterRef

from paperfeed.batches import slices
from paperfeed.catalogue.models import Paper
from paperfeed.search import categories, keyword, vectors
from paperfeed.search.backends import backend
from paperfeed.search.embeddings import MODEL_NAME, get_embedder, paper_text
from paperfeed.search.models import PaperEmbedding

log = logging.getLogger("paperfeed.search")

DEFAULT_BATCH = 64
# The background task folds new vectors into the hnswlib file once this many wait.
ANN_SYNC_MIN_NEW = 2000


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def embed_papers(paper_ids: Sequence[int], embedder=None, force: bool = False) -> int:
    """Embed these papers and store the vectors (one transaction); returns how many.

    A paper whose stored vector was made by this model from the same text is
    skipped (metadata-only updates such as a new version cost nothing), unless
    ``force``.
    """
    embedder = embedder or get_embedder()
    papers = Paper.objects.filter(id__in=list(paper_ids)).values_list("id", "title", "abstract")
    texts = {pk: paper_text(title, abstract) for pk, title, abstract in papers}
    if not force:
        stored = dict(
            PaperEmbedding.objects.filter(
                paper_id__in=list(texts), model_name=embedder.name
            ).values_list("paper_id", "text_hash")
        )
        texts = {pk: t for pk, t in texts.items() if stored.get(pk) != text_hash(t)}
    rows = list(texts.items())
    if not rows:
        return 0
    matrix = embedder.embed([text for _, text in rows])
    search_backend = backend()
    codes = categories.papers_categories([pk for pk, _ in rows])
    objs = [
        PaperEmbedding(
            paper_id=pk,
            model_name=embedder.name,
            vector=vectors.to_bytes(vec),
            pgvector=search_backend.vector_value(vec),
            categories=codes[pk],
            text_hash=text_hash(text),
        )
        for (pk, text), vec in zip(rows, matrix, strict=True)
    ]
    with transaction.atomic():
        # A paper deleted while the batch was embedded (seconds) would fail the whole
        # batch at commit, on the foreign key: keep those still there, locked against
        # deletion until the vectors are in (SQLite's one writer needs no lock).
        present = set(
            Paper.objects.filter(id__in=[o.paper_id for o in objs])
            .select_for_update(no_key=True)
            .values_list("id", flat=True)
        )
        objs = [o for o in objs if o.paper_id in present]
        PaperEmbedding.objects.bulk_create(
            objs,
            update_conflicts=True,
            unique_fields=["paper"],
            update_fields=[
                "model_name",
                "vector",
                "pgvector",
                "categories",
                "text_hash",
                "updated_at",
            ],
        )
    vectors.forget_state()
    return len(objs)


def newest_first(paper_ids: Iterable[int]) -> list[int]:
    """These papers, the latest announced first (then the latest stored): what a
    reader of today's feed waits for is embedded before the backlog."""
    ids = list({int(i) for i in paper_ids})
    ordered: list[tuple[int, dt.date | None]] = []
    for chunk in slices(ids):
        ordered.extend(Paper.objects.filter(id__in=chunk).values_list("id", "announced"))
    ordered.sort(key=lambda row: (row[1] or dt.date.min, row[0]), reverse=True)
    return [pk for pk, _ in ordered]


def index_papers_now(
    paper_ids: Iterable[int],
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embeddings batch by batch, newest papers first, then the ANN file. (Keyword
    rows were written with the papers.)"""
    ids = newest_first(paper_ids)
    if not ids:
        return 0
    done = 0
    for start in range(0, len(ids), batch_size):
        done += embed_papers(ids[start : start + batch_size])
        if progress:
            progress(done, len(ids))
    vectors.sync_ann_index(min_new=ANN_SYNC_MIN_NEW)
    return done


def missing_embeddings(model_name: str = MODEL_NAME) -> list[int]:
    """Papers with no vector for the current model, newest first.

    ``NOT EXISTS``, an anti-join, and not ``NOT IN (subquery)``: PostgreSQL runs the
    latter as a hashed subplan only while the ids fit in ``work_mem`` (4 MB by default),
    and past that tests each paper against the whole list; at a million papers
    ``reindex --missing`` planned 12.6 billion cost units and ran for minutes before
    embedding anything (measured), where the anti-join reads each table once."""
    have = PaperEmbedding.objects.filter(model_name=model_name, paper_id=OuterRef("pk"))
    return list(
        Paper.objects.filter(~Exists(have))
        .order_by(F("announced").desc(nulls_last=True), "-id")
        .values_list("id", flat=True)
    )


def reindex(
    missing_only: bool = False,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Rebuild (or, with ``missing_only``, complete) the keyword and vector indexes."""
    started = time.monotonic()
    if missing_only:
        kw_ids = keyword.keyword_index_missing()
        keyword.index_keyword(kw_ids)
        ids = missing_embeddings()
        embedded = 0
        for start in range(0, len(ids), batch_size):
            embedded += embed_papers(ids[start : start + batch_size])
            if progress:
                progress(embedded, len(ids))
        stale = PaperEmbedding.objects.exclude(model_name=MODEL_NAME).delete()[0]
        vectors.sync_ann_index()
        keyword_rows = len(kw_ids)
        filled = vectors.complete_pgvector()
    else:
        keyword.clear_keyword_index()
        all_ids = list(
            Paper.objects.order_by(F("announced").desc(nulls_last=True), "-id").values_list(
                "id", flat=True
            )
        )
        keyword_rows = keyword.index_keyword(all_ids)
        keyword.optimize_keyword_index()
        embedded = 0
        for start in range(0, len(all_ids), batch_size):
            embedded += embed_papers(all_ids[start : start + batch_size], force=True)
            if progress:
                progress(embedded, len(all_ids))
        stale = PaperEmbedding.objects.exclude(model_name=MODEL_NAME).delete()[0]
        vectors.sync_ann_index(rebuild=vectors.TableState.read().count > vectors.ann_threshold())
        filled = vectors.complete_pgvector()
    vectors.forget_state()
    log.info(
        "reindex: %d keyword rows, %d embeddings in %.1fs",
        keyword_rows,
        embedded,
        time.monotonic() - started,
    )
    return {
        "keyword": keyword_rows,
        "embedded": embedded,
        "stale_removed": stale,
        "pgvector_filled": filled,
    }
