"""Nearest neighbours over the stored paper vectors.

* Where the backend keeps vectors in the database (PostgreSQL with pgvector), it
  answers (``paperfeed.search.backends.postgres``).
* Otherwise (SQLite, and PostgreSQL with ``PAPERFEED_PGVECTOR=0``), up to
  ``PAPERFEED_ANN_THRESHOLD`` vectors (default 20,000): exact search, ``X @ q``
  over a matrix cached per process and reloaded when the table changes (row
  count, largest id or latest update differ).
* Above that: an hnswlib index file in ``DATA_DIR/index/``, kept in step by the
  indexing task (:func:`sync_ann_index`); vectors written after the file's
  watermark are scored exactly and merged, so a lagging index never hides papers.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Max

from paperfeed.catalogue.version import database_key
from paperfeed.memo import Lru
from paperfeed.search.backends import backend
from paperfeed.search.embeddings import DIMENSIONS, MODEL_NAME
from paperfeed.search.filters import Filters, PaperIds
from paperfeed.search.models import PaperEmbedding

log = logging.getLogger("paperfeed.search")

HNSW_M = 16
HNSW_EF_CONSTRUCTION = 100
# Short text queries sit far from the papers, among many near-ties: at one million
# vectors (benchmarks/search_latency.py --million, 300 titles, phrases and claims)
# recall@10 against exact search was 0.69 at ef 100, 0.93 at 800, 0.96 at 1600
# (about 3 ms a query); a paper's own vector (similar papers) gets 0.999 at ef 100.
HNSW_EF_SEARCH = 1600
# A stored paper vector (similar papers) lies among the indexed ones: recall@10 0.996
# at ef 100 on the 74,728 real vectors (benchmarks/ann_recall.py), 0.999 at one million.
HNSW_EF_SIMILAR = 100


def use_pgvector() -> bool:
    """Whether the database keeps and searches the vectors itself (pgvector on
    PostgreSQL unless ``PAPERFEED_PGVECTOR=0``); otherwise they are searched here."""
    return backend().vectors_in_database


def ann_threshold() -> int:
    return int(settings.PAPERFEED_ANN_THRESHOLD)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float32)


def _embeddings(model_name: str = MODEL_NAME):
    return PaperEmbedding.objects.filter(model_name=model_name)


@dataclass(frozen=True)
class TableState:
    count: int
    max_id: int
    max_updated: str

    @classmethod
    def read(cls, model_name: str = MODEL_NAME) -> TableState:
        """Index-only look-ups (one aggregate over the rows would read every vector),
        remembered for ``PAPERFEED_VECTOR_STATE_TTL`` seconds, so a search costs no
        query here and another process's writes show within that time.

        The row count (a scan of an index: 90 ms at a million vectors) is read again
        only every ``COUNT_TTL`` seconds once the table is past twice the exact-search
        size: there it only picks the search path, and new or changed vectors show
        through the largest id and the latest update anyway."""
        now = time.monotonic()
        with _state_lock:
            cached = _state_cache.get(model_name)
            if cached and now - cached[0] < settings.PAPERFEED_VECTOR_STATE_TTL:
                return cached[1]
            counted = _count_cache.get(model_name)
        table = PaperEmbedding._meta.db_table
        with connection.cursor() as cursor:
            if (
                counted is None
                or counted[1] <= 2 * ann_threshold()
                or now - counted[0] >= COUNT_TTL
            ):
                cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE model_name = %s", [model_name])
                counted = (now, cursor.fetchone()[0] or 0)
            cursor.execute(
                f"SELECT (SELECT MAX(paper_id) FROM {table} WHERE model_name = %s),"
                f" (SELECT MAX(updated_at) FROM {table})",
                [model_name],
            )
            top, last = cursor.fetchone()
        state = cls(counted[1], top or 0, str(last or ""))
        with _state_lock:
            _state_cache[model_name] = (now, state)
            _count_cache[model_name] = counted
        return state


COUNT_TTL = 60.0
_state_lock = threading.Lock()
_state_cache: dict[str, tuple[float, TableState]] = {}
_count_cache: dict[str, tuple[float, int]] = {}


def forget_state() -> None:
    """Called after this process writes vectors, so its next search sees them."""
    with _state_lock:
        _state_cache.clear()
        _count_cache.clear()


def get_vector(paper_id: int, model_name: str = MODEL_NAME) -> np.ndarray | None:
    row = _embeddings(model_name).filter(paper_id=paper_id).values_list("vector", flat=True)
    found = list(row[:1])
    return from_bytes(found[0]) if found else None


def load_vectors(paper_ids=None, model_name: str = MODEL_NAME, since=None):
    """(ids, matrix) of stored vectors: all, those of ``paper_ids``, or those updated
    after ``since`` (one or the other)."""
    if paper_ids is not None:
        if since is not None:
            raise ValueError("load_vectors takes paper_ids or since, not both")
        return _read_vectors([int(pk) for pk in paper_ids], model_name)
    qs = _embeddings(model_name)
    if since is not None:
        qs = qs.filter(updated_at__gt=since)
    n = qs.count()
    ids = np.zeros(n, dtype=np.int64)
    matrix = np.zeros((n, DIMENSIONS), dtype=np.float32)
    i = 0
    for pk, blob in qs.order_by("paper_id").values_list("paper_id", "vector").iterator(2000):
        if i >= n:  # rows added while reading: the next state check reloads
            break
        ids[i] = pk
        matrix[i] = from_bytes(blob)
        i += 1
    return ids[:i], matrix[:i]


def _read_vectors(wanted: list[int], model_name: str) -> tuple[np.ndarray, np.ndarray]:
    """The stored vectors of these papers (in the table's order), read by the backend
    (:meth:`SearchBackend.stored_vectors`)."""
    ids_out, blobs = backend().stored_vectors(wanted, model_name)
    if not blobs:
        return np.zeros(0, dtype=np.int64), np.zeros((0, DIMENSIONS), np.float32)
    joined = bytearray().join(blobs)  # writable, unlike bytes
    matrix = np.frombuffer(joined, dtype=np.float32).reshape(len(blobs), DIMENSIONS)
    return np.asarray(ids_out, dtype=np.int64), matrix


class _MatrixCache:
    """The whole table in memory, per process and model (exact search)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[TableState, np.ndarray, np.ndarray]] = {}

    def get(self, state: TableState, model_name: str) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            entry = self._entries.get(model_name)
            if entry and entry[0] == state:
                return entry[1], entry[2]
        ids, matrix = load_vectors(model_name=model_name)
        with self._lock:
            self._entries[model_name] = (state, ids, matrix)
        return ids, matrix

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_matrix_cache = _MatrixCache()


def _top(scores: np.ndarray, ids: np.ndarray, limit: int) -> list[tuple[int, float]]:
    if limit <= 0 or len(scores) == 0:
        return []
    if limit < len(scores):
        part = np.argpartition(-scores, limit - 1)[:limit]
    else:
        part = np.arange(len(scores))
    order = part[np.lexsort((ids[part], -scores[part]))]
    return [(int(ids[i]), float(scores[i])) for i in order]


def vector_search(
    query: np.ndarray,
    limit: int = 20,
    offset: int = 0,
    filters: Filters | None = None,
    exclude: set[int] | frozenset[int] = frozenset(),
    model_name: str = MODEL_NAME,
    ef: int | None = None,
) -> list[tuple[int, float]]:
    """(paper id, cosine similarity) pairs, best first. ``ef``: the hnswlib beam
    (default ``HNSW_EF_SEARCH``), where that index answers."""
    filters = filters or Filters()
    limit, offset = max(0, int(limit)), max(0, int(offset))
    want = limit + offset + len(exclude)
    if limit == 0:
        return []
    query = np.asarray(query, dtype=np.float32)
    search_backend = backend()
    if search_backend.vectors_in_database:
        found = _database_search(query, want, filters, model_name, ef)
    else:
        found = _sqlite_search(query, want, filters, model_name, ef)
    found = [(pk, s) for pk, s in found if pk not in exclude]
    return found[offset : offset + limit]


def _database_search(
    query: np.ndarray, want: int, filters: Filters, model_name: str, ef: int | None = None
) -> list[tuple[int, float]]:
    """pgvector's index, except for a filter it searches badly (:func:`database_exact_size`):
    that filter's vectors are scored exactly, as on SQLite."""
    if not filters.empty:
        state = TableState.read(model_name)
        limit = database_exact_size(state.count)
        size = filters.count_up_to(limit + 1)
        if size <= limit:
            if not size:
                return []
            ids, matrix = _filtered_vectors(filters, state, model_name)
            return _top(matrix @ query, ids, want)
    return backend().nearest(query, want, filters, model_name, ef)


def database_exact_size(count: int) -> int:
    """Up to how many papers a filter is scored exactly where pgvector keeps the
    vectors: the hnswlib bound, or a twentieth of the table if more. pgvector's
    iterative scan walks the graph until enough rows pass the filter; for a category
    far from the query it stops at its scan limit before reaching the category's
    nearest papers. At a million papers (ef_search 1,000, m 24 / ef_construction 128,
    text queries unrelated to the category) it found 0.35 to 0.8 of the 10 nearest
    for categories of 2 to 3 % of the papers, in 140 to 600 ms, but 0.96 to 0.97 for
    those of 15 to 50 %; scoring 50,000 cached vectors takes about 5 ms."""
    return max(filter_exact_size(count), count // 20)


def _sqlite_search(
    query: np.ndarray, want: int, filters: Filters, model_name: str, ef: int | None = None
) -> list[tuple[int, float]]:
    state = TableState.read(model_name)
    if state.count == 0:
        return []
    allowed = None if filters.empty else filters.paper_ids()
    threshold = ann_threshold()
    if state.count <= threshold:
        ids, matrix = _matrix_cache.get(state, model_name)
        scores = matrix @ query
        if allowed is not None:
            mask = np.isin(ids, allowed.array, assume_unique=True)
            ids, scores = ids[mask], scores[mask]
        return _top(scores, ids, want)
    if allowed is not None and len(allowed) <= filter_exact_size(state.count):
        ids, matrix = _filtered_vectors(filters, state, model_name)
        return _top(matrix @ query, ids, want)
    index = ann_index(model_name)
    if index is None:  # not built yet: exact, as slow as that is
        log.warning("no ANN index yet for %s; searching exactly", model_name)
        ids, matrix = load_vectors(model_name=model_name)
        if allowed is not None:
            mask = np.isin(ids, allowed.array, assume_unique=True)
            ids, matrix = ids[mask], matrix[mask]
        return _top(matrix @ query, ids, want)
    return index.search(query, want, allowed, ef)


def filter_exact_size(count: int) -> int:
    """Up to how many papers a filter's vectors are scored exactly (above the ANN
    threshold). hnswlib's filtered search visits about ef / fraction nodes (about
    0.5 us each), reading a filter's vectors costs about 2 us each: they cost the same
    near 20 * sqrt(count) papers, 5,500 at 74,728 vectors, 20,000 at a million."""
    return int(20 * count**0.5)


# Filters' vectors read for exact search, by database, filter and table state: a
# reader paging or refining within a category reads them once, and every reader's
# recommendations for a day or a week share that window's. At most
# FILTERED_CACHE_BYTES of vectors (a twentieth of a million papers is 77 MB); the
# bytes bound it, not a count of filters (with room for 8, the 9 small categories of
# the latency benchmark's queries pushed each other out, and each was read again).
FILTERED_CACHE_BYTES = 512 * 2**20
FILTERED_CACHE_ENTRIES = 1024
_filtered_cache: Lru[tuple[str, Filters, str], TableState, tuple[np.ndarray, np.ndarray]] = Lru(
    FILTERED_CACHE_ENTRIES, weigh=lambda found: found[1].nbytes, budget=FILTERED_CACHE_BYTES
)


def filter_vectors(filters: Filters, model_name: str = MODEL_NAME) -> tuple[np.ndarray, np.ndarray]:
    """(ids, matrix) of the stored vectors of a filter's papers, kept per process until
    the vector table changes."""
    state = TableState.read(model_name)
    return _filtered_vectors(filters, state, model_name)


def _filtered_vectors(
    filters: Filters, state: TableState, model_name: str
) -> tuple[np.ndarray, np.ndarray]:
    """The filter's ids are looked up only when its vectors must be read."""
    return _filtered_cache.current(
        (database_key(), filters, model_name),
        state,
        lambda: load_vectors(filters.paper_ids().array.tolist(), model_name),
    )


def complete_pgvector(model_name: str = MODEL_NAME) -> int:
    """Fill the database's vector column of rows written while pgvector was off (and
    create its indexes), so switching it on takes ``reindex --missing``; 0 elsewhere."""
    filled = backend().complete_vectors(model_name)
    if filled:  # the categories' indexes too, now their rows have vectors
        ensure_category_indexes(model_name)  # (otherwise sync_ann_index just looked)
    return filled


def ensure_category_indexes(model_name: str = MODEL_NAME, min_new: int = 0) -> list[str]:
    """Where pgvector keeps the vectors, give each category searched through the index
    (more papers than :func:`database_exact_size`, fewer than three quarters of the
    table) an HNSW index of its own rows; returns the codes built. With ``min_new`` a
    process looks again only once that many vectors were added since it last looked
    (counting the categories reads every embedding row: about a second at a million)."""
    state = TableState.read(model_name)
    key = (database_key(), model_name)
    looked = _categories_looked_at.get(key)
    if min_new and looked is not None and state.count - looked < min_new:
        return []
    built = backend().ensure_category_indexes(
        database_exact_size(state.count), state.count * 3 // 4
    )
    _categories_looked_at[key] = state.count
    return built


# The table's size when this process last looked for categories to index, by database.
_categories_looked_at: dict[tuple[str, str], int] = {}


# --------------------------------------------------------------------------- hnswlib file


def index_dir() -> Path:
    path = Path(settings.DATA_DIR) / "index"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stem(model_name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in model_name).strip("-")


@contextmanager
def _file_lock(path: Path):
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class AnnIndex:
    """A loaded hnswlib index plus the watermark of what it contains."""

    def __init__(self, path: Path, meta: dict, model_name: str) -> None:
        import hnswlib

        self.path = path
        self.meta = meta
        self.model_name = model_name
        self.index = hnswlib.Index(space="ip", dim=DIMENSIONS)
        self.index.load_index(str(path), max_elements=int(meta["capacity"]))
        self.index.set_ef(HNSW_EF_SEARCH)
        self.watermark = dt.datetime.fromisoformat(meta["watermark"]) if meta["watermark"] else None

    def _delta(self) -> tuple[np.ndarray, np.ndarray]:
        """Vectors newer than the file, cached until the table changes."""
        state = TableState.read(self.model_name)
        cached = getattr(self, "_delta_cache", None)
        if cached is None or cached[0] != state:
            cached = (state, *load_vectors(model_name=self.model_name, since=self.watermark))
            self._delta_cache = cached
        return cached[1], cached[2]

    def search(
        self,
        query: np.ndarray,
        want: int,
        allowed: PaperIds | None = None,
        ef: int | None = None,
    ) -> list[tuple[int, float]]:
        allowed_set = None if allowed is None else allowed.members
        k = min(want, self.index.get_current_count())
        found: dict[int, float] = {}
        if k:
            ef = max(ef or HNSW_EF_SEARCH, 2 * k)
            if allowed_set is not None:  # selective filters need a wider beam
                ef = max(ef, 400)
            self.index.set_ef(ef)
            labels, distances = self.index.knn_query(
                query,
                k=k,
                filter=(lambda label: label in allowed_set) if allowed_set is not None else None,
            )
            for label, distance in zip(labels[0], distances[0], strict=True):
                found[int(label)] = 1.0 - float(distance)
        # Vectors written after the index file: score exactly, they may replace entries.
        ids, matrix = self._delta()
        if len(ids):
            scores = matrix @ query
            for pk, score in zip(ids.tolist(), scores.tolist(), strict=True):
                if allowed_set is None or pk in allowed_set:
                    found[pk] = score
        ranked = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(pk, s) for pk, s in ranked[:want]]


_ann_lock = threading.Lock()
_ann_cache: dict[str, tuple[tuple[int, int], AnnIndex]] = {}


def ann_index(model_name: str = MODEL_NAME) -> AnnIndex | None:
    """The process's copy of the index file, reloaded when the file changes."""
    path = index_dir() / f"{_stem(model_name)}.hnsw"
    meta_path = path.with_suffix(".json")
    try:
        info = meta_path.stat()
        mtime = (info.st_mtime_ns, info.st_size)
    except FileNotFoundError:
        return None
    with _ann_lock:
        cached = _ann_cache.get(model_name)
        if cached and cached[0] == mtime:
            return cached[1]
        meta = json.loads(meta_path.read_text())
        loaded = AnnIndex(path, meta, model_name)
        _ann_cache[model_name] = (mtime, loaded)
        return loaded


def sync_ann_index(
    model_name: str = MODEL_NAME,
    rebuild: bool = False,
    min_new: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> str:
    """Bring the index file up to date with the table (SQLite above the threshold).

    Adds or replaces vectors written since the file's watermark; rebuilds when
    papers were removed, when asked, or when the file is missing. With ``min_new``,
    an existing file is left alone until that many vectors are newer than it
    (searches score those exactly meanwhile), so small batches do not each rewrite
    a large file. ``progress(done, total)`` is called as vectors go in. Returns what
    it did.
    """
    search_backend = backend()
    if search_backend.vectors_in_database:
        search_backend.ensure_vector_index()
        built = ensure_category_indexes(model_name, min_new=min_new)
        return "pgvector keeps its own index" + (f"; indexed {', '.join(built)}" if built else "")
    forget_state()
    state = TableState.read(model_name)
    path = index_dir() / f"{_stem(model_name)}.hnsw"
    meta_path = path.with_suffix(".json")
    if state.count <= ann_threshold() and not rebuild:
        return "below threshold: exact search"
    if min_new and not rebuild and meta_path.exists() and path.exists():
        meta = json.loads(meta_path.read_text())
        newer = _embeddings(model_name)
        if meta["watermark"]:
            newer = newer.filter(updated_at__gt=dt.datetime.fromisoformat(meta["watermark"]))
        pending = newer.count()
        if pending < min_new and meta.get("count", 0) <= state.count:
            return f"{pending} newer vectors scored exactly until {min_new}"
    with _file_lock(index_dir() / f"{_stem(model_name)}.lock"):
        done = _sync_locked(model_name, path, meta_path, state, rebuild, progress)
        if done is None:  # something was deleted (or the model changed): start over
            done = _sync_locked(model_name, path, meta_path, state, True, progress)
            assert done is not None, "a rebuild reads every vector: it never starts over"
        return done


def _sync_locked(
    model_name: str,
    path: Path,
    meta_path: Path,
    state: TableState,
    rebuild: bool,
    progress: Callable[[int, int], None] | None = None,
) -> str | None:
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
    watermark = None
    if meta and path.exists() and not rebuild:
        import hnswlib

        capacity = max(int(meta["capacity"]), state.count + 1024)
        index = hnswlib.Index(space="ip", dim=DIMENSIONS)
        index.load_index(str(path), max_elements=capacity)
        watermark = dt.datetime.fromisoformat(meta["watermark"]) if meta["watermark"] else None
    else:
        capacity = index_capacity(state.count)
        index = new_index(capacity)
    # Read the new watermark first: rows written meanwhile are re-scored as the delta.
    new_watermark = _embeddings(model_name).aggregate(m=Max("updated_at"))["m"]
    ids, matrix = load_vectors(model_name=model_name, since=watermark)
    add_vectors(index, ids, matrix, progress)
    if watermark is not None and index.get_current_count() > _embeddings(model_name).count():
        return None
    save_index(index, path, capacity, new_watermark)
    return f"{len(ids)} vectors added ({index.get_current_count()} in the index)"


def index_capacity(count: int) -> int:
    """Room for a quarter more than ``count`` before the file must grow."""
    return int(count * 1.25) + 1024


def new_index(capacity: int):
    """An empty hnswlib index with paperfeed's parameters (inner product on unit vectors)."""
    import hnswlib

    index = hnswlib.Index(space="ip", dim=DIMENSIONS)
    index.init_index(max_elements=capacity, ef_construction=HNSW_EF_CONSTRUCTION, M=HNSW_M)
    return index


def add_vectors(
    index,
    ids: np.ndarray,
    matrix: np.ndarray,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 50_000,
) -> None:
    """Insert (or replace) vectors, one thread, ``chunk`` at a time: the same graph as a
    single call, with ``progress(done, total)`` between chunks."""
    for start in range(0, len(ids), chunk):
        index.add_items(matrix[start : start + chunk], ids[start : start + chunk], num_threads=1)
        if progress:
            progress(min(start + chunk, len(ids)), len(ids))


def save_index(index, path: Path, capacity: int, watermark: dt.datetime | None) -> None:
    """Write the index file and its metadata (each to a temporary name, then renamed);
    :func:`ann_index` reads both back. ``watermark``: the newest vector it holds."""
    tmp = path.with_suffix(".hnsw.tmp")
    index.save_index(str(tmp))
    os.replace(tmp, path)
    meta = {
        "capacity": capacity,
        "count": index.get_current_count(),
        "watermark": watermark.isoformat() if watermark else "",
        "M": HNSW_M,
        "ef_construction": HNSW_EF_CONSTRUCTION,
    }
    meta_path = path.with_suffix(".json")
    tmp_meta = meta_path.with_suffix(".json.tmp")
    tmp_meta.write_text(json.dumps(meta))
    os.replace(tmp_meta, meta_path)


def clear_caches() -> None:
    forget_state()
    _matrix_cache.clear()
    _filtered_cache.clear()
    _categories_looked_at.clear()
    with _ann_lock:
        _ann_cache.clear()
