"""One search function for the site, the API and the CLI.

``mode``: ``keyword`` (bm25 / ts_rank), ``semantic`` (embedding nearest
neighbours) or ``hybrid`` (default): reciprocal-rank fusion of both rankings,
``score = sum(1 / (RRF_K + rank))``. Filters apply inside each ranking.

A query restricted to a field (``author:``, ``title:``, ``abstract:``) or naming an
arXiv id is answered by keywords alone in hybrid mode: the meaning of its words
cannot honour the restriction, and fusing would pad the answer with unrelated
papers. While embedding is behind an import, a paper without a vector could not be
placed by the meaning half: it is ranked by its keyword rank counted for both
halves, rather than at half weight below papers that have vectors.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence

from django.db import close_old_connections, connection, connections

from paperfeed.catalogue.models import Paper
from paperfeed.pools import ProcessPool
from paperfeed.search.embeddings import MODEL_NAME
from paperfeed.search.filters import Filters
from paperfeed.search.hits import Hit
from paperfeed.search.keyword import clean_query, keyword_search, lookup_id, parse_query
from paperfeed.search.models import PaperEmbedding
from paperfeed.search.status import coverage

log = logging.getLogger("paperfeed.search")

MODES = ("keyword", "semantic", "hybrid")
RRF_K = 60
# How deep each ranking goes before fusion (at least; deeper for later pages).
FUSION_DEPTH = 100
MAX_LIMIT = 1000


def embed_query(text: str):
    from paperfeed.search.embeddings import get_embedder

    return get_embedder().embed_one(text)


def semantic_search(
    query: str, filters: Filters, limit: int, offset: int = 0
) -> list[tuple[int, float]]:
    text = clean_query(query)
    if not text:
        return []
    return _vector_search(embed_query(text), filters, limit, offset)


def _vector_search(vector, filters: Filters, limit: int, offset: int = 0):
    from paperfeed.search.vectors import vector_search

    return vector_search(vector, limit=limit, offset=offset, filters=filters)


# Threads for the second half of hybrid searches: one per search at once, up to this
# many (each keeps a database connection while it is used, as request threads do).
HALF_THREADS = 8
_halves = ProcessPool(HALF_THREADS, "paperfeed-search-half", on_close=connections.close_all)


def close_search_threads() -> None:
    """End the pool's threads, each closing its database connections."""
    _halves.close()


def _meaning(vector, filters: Filters, depth: int) -> list[int]:
    """The vector half of a hybrid search: paper ids, nearest first."""
    return [pk for pk, _ in _vector_search(vector, filters, depth)]


def _meaning_apart(text: str, filters: Filters, depth: int) -> list[int]:
    """The vector half on a pool thread. Its connection is kept or closed as a
    request thread's is (``CONN_MAX_AGE``, health checks)."""
    close_old_connections()
    try:
        return _meaning(embed_query(text), filters, depth)
    finally:
        close_old_connections()


def rrf(
    rankings: Sequence[Sequence[int]], k: int = RRF_K, unranked: Collection[int] = frozenset()
) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion. ``unranked``: papers the later rankings could not
    place (no vector yet); each counts its first ranking's share once per ranking."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, pk in enumerate(ranking, start=1):
            scores[pk] = scores.get(pk, 0.0) + 1.0 / (k + rank)
    if unranked and rankings:
        for rank, pk in enumerate(rankings[0], start=1):
            if pk in unranked:
                scores[pk] = len(rankings) / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _without_vectors(paper_ids: Sequence[int]) -> set[int]:
    """Which of these papers have no vector yet (none, without a query, once every
    paper has one)."""
    if not paper_ids or coverage().complete:
        return set()
    have = set(
        PaperEmbedding.objects.filter(
            paper_id__in=list(paper_ids), model_name=MODEL_NAME
        ).values_list("paper_id", flat=True)
    )
    return set(paper_ids) - have


def search(
    query: str,
    mode: str = "hybrid",
    filters: Filters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[Hit]:
    """Papers matching ``query``, best first. Never raises on odd input."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    filters = filters or Filters()
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    if limit == 0:
        return []
    parsed = parse_query(query)
    if parsed.arxiv_id:  # an id is a look-up whatever the mode
        found = lookup_id(parsed.arxiv_id, filters)[offset : offset + limit]
        return _hits([(pk, score) for pk, score in found], keyword_ranks=True, offset=offset)
    if mode == "keyword" or (mode == "hybrid" and parsed.fielded):
        found = keyword_search(query, filters, limit, offset)
        return _hits(found, keyword_ranks=True, offset=offset)
    if mode == "semantic":
        return _hits(semantic_search(query, filters, limit, offset), offset=offset)
    depth = max(FUSION_DEPTH, 2 * (offset + limit))
    text = clean_query(query)
    # The query's embedding (ONNX, which releases the GIL) is computed on a pool
    # thread while the keyword half runs here (the database drivers release it too).
    # Outside a transaction that thread also runs the vector search, on its own
    # connection, so a hybrid search takes about as long as its slower half, not the
    # sum. Inside one (a caller's atomic block, a test's) another connection could not
    # see its uncommitted rows: the vector search waits for the keyword half here.
    apart = not connection.in_atomic_block
    if not text:
        pending = None
    elif apart:
        pending = _halves.submit(_meaning_apart, text, filters, depth)
    else:
        pending = _halves.submit(embed_query, text)
    lexical = [pk for pk, _ in keyword_search(query, filters, depth)]
    try:
        if pending is None:
            meaning = []
        elif apart:
            meaning = pending.result()
        else:
            meaning = _meaning(pending.result(), filters, depth)
    except Exception:  # no model installed, no vectors yet...: keyword alone
        log.exception("semantic half of a hybrid search failed; keyword results only")
        meaning = []
    fused = rrf([lexical, meaning], unranked=_without_vectors(lexical))[offset : offset + limit]
    kw_rank = {pk: i for i, pk in enumerate(lexical, start=1)}
    sem_rank = {pk: i for i, pk in enumerate(meaning, start=1)}
    hits = _hits(fused)
    for hit in hits:
        hit.keyword_rank = kw_rank.get(hit.paper_id)
        hit.semantic_rank = sem_rank.get(hit.paper_id)
    return hits


def _hits(
    pairs: Sequence[tuple[int, float]], keyword_ranks: bool = False, offset: int = 0
) -> list[Hit]:
    ids = dict(Paper.objects.filter(id__in=[pk for pk, _ in pairs]).values_list("id", "arxiv_id"))
    hits = []
    for rank, (pk, score) in enumerate(pairs, start=offset + 1):
        if pk not in ids:  # deleted meanwhile
            continue
        hit = Hit(paper_id=pk, arxiv_id=ids[pk], score=score)
        if keyword_ranks:
            hit.keyword_rank = rank
        else:
            hit.semantic_rank = rank
        hits.append(hit)
    return hits
