"""What a search backend does for one database: keyword rows and their ranking, and
where vectors live.

Everything above a backend (query parsing, pruning plans, fusion, which papers are
indexed when) is the same on every database; a backend holds only what the database
decides. Modelled on Wagtail's search backends (one module per database behind one
class interface).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.db import connection

from paperfeed.batches import slices
from paperfeed.search import pruning
from paperfeed.search.filters import Filters
from paperfeed.search.query import ParsedQuery

# A match expression with its parameters, and (paper id, score) pairs best first.
Match = tuple[str, list[str]]
Ranked = list[tuple[int, float]]
# A paper's keyword document: (paper id, title, abstract, authors joined by "; ",
# category codes).
Document = tuple[int, str, str, str, Sequence[str]]
# A filtered newest-first read walks at most this many times its window of matches.
FILTERED_WALK = 4


class KeywordRanker:
    """Match expressions and ranked reads for one parsed query on one database.
    ``scored``: the terms the ranking counts (the pruning plan's)."""

    terms: list[str]
    scored: Sequence[int] = ()
    # How many postings the ranking may read per budget row (None: it reads none).
    postings_per_row: int | None = pruning.POSTINGS_PER_ROW
    # Whether rank() scores each row on every scored term, whichever terms its match
    # expression held (ts_rank against their OR): then a SPLIT's read of the rare
    # terms is already exact and its second read (rare AND common) adds nothing.
    scores_every_term: bool = False

    def any_of(self, indexes: Iterable[int]) -> Match:
        raise NotImplementedError

    def both(self, rare: Iterable[int], common: Iterable[int]) -> Match:
        """Rows with one of the ``rare`` terms and one of the ``common`` ones."""
        raise NotImplementedError

    def count(self, term: str, cap: int) -> int:
        raise NotImplementedError

    def rank(self, match: Match, limit: int, offset: int, newest: int = 0) -> Ranked:
        """The best rows of ``match``; ``newest``: rank only that many of the newest."""
        raise NotImplementedError

    @staticmethod
    def _fetch(sql: str, args: Sequence[Any]) -> Ranked:
        with connection.cursor() as cursor:
            cursor.execute(sql, list(args))
            return [(row[0], float(row[1])) for row in cursor.fetchall()]


class SearchBackend:
    """One database's keyword index and vector store.

    ``row_cost``: what ranking a keyword row costs against bm25's 2-3 us (the row
    budget is divided by it). ``vectors_in_database``: nearest neighbours come from
    the database (:meth:`nearest`); otherwise paperfeed searches the stored float32
    bytes in process (``paperfeed.search.vectors``: exact, then an hnswlib file).
    """

    vendor = ""
    row_cost = 1
    keyword_table = ""
    keyword_key = ""
    # INSERT of one keyword row from the values keyword_values() makes of a Document.
    keyword_insert = ""
    vectors_in_database = False

    def ranker(self, parsed: ParsedQuery, filters: Filters) -> KeywordRanker:
        raise NotImplementedError

    def write_keyword_rows(self, ids: Sequence[int], docs: Sequence[Document]) -> None:
        """Replace the rows of ``ids`` by ``docs`` (ids without a document lose theirs)."""
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {self.keyword_table} WHERE {self.keyword_key} IN ({marks})",
                list(ids),
            )
            cursor.executemany(self.keyword_insert, [self.keyword_values(d) for d in docs])

    def keyword_values(self, doc: Document) -> tuple[Any, ...]:
        """The keyword INSERT's values for a document: its words (paper id, title,
        abstract, authors) where the database keeps no categories with them."""
        return doc[:4]

    def clear_keyword_rows(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.keyword_table}")

    def optimize_keyword_rows(self) -> None:
        """Compact the keyword index after a full rebuild, where the database needs it."""

    def keyword_row_count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self.keyword_table}")
            return int(cursor.fetchone()[0])

    def vector_value(self, vector: np.ndarray) -> np.ndarray | None:
        """What goes into the embedding row's database vector column (None: unused)."""
        return None

    def stored_vectors(
        self, wanted: Sequence[int], model_name: str
    ) -> tuple[list[int], list[bytes | memoryview]]:
        """(paper ids, float32 bytes) of these papers' stored vectors, in the table's
        order, read with plain SQL in chunks of 900 ids: for a week's 1,300 candidates
        the ORM spent two thirds of its 17 ms preparing each id of the ``IN`` list,
        this takes 6 ms."""
        ids_out: list[int] = []
        blobs: list[bytes | memoryview] = []
        with connection.cursor() as cursor:
            for chunk in slices(wanted):
                marks = ",".join(["%s"] * len(chunk))
                cursor.execute(
                    "SELECT paper_id, vector FROM search_paperembedding"  # noqa: S608
                    f" WHERE model_name = %s AND paper_id IN ({marks})",
                    [model_name, *chunk],
                )
                for pk, blob in cursor.fetchall():
                    ids_out.append(pk)
                    blobs.append(blob)
        return ids_out, blobs

    def nearest(
        self, query: np.ndarray, want: int, filters: Filters, model_name: str, ef: int | None
    ) -> Ranked:
        """(paper id, cosine) best first, from the database's own vector index."""
        raise NotImplementedError(f"{self.vendor} keeps no vectors in the database")

    def ensure_vector_index(self) -> None:
        """Create the database's vector index if it is missing."""

    def ensure_category_indexes(self, above: int, up_to: int) -> list[str]:
        """Create the missing vector indexes of single categories with more than
        ``above`` and at most ``up_to`` papers; returns their codes."""
        return []

    def complete_vectors(self, model_name: str) -> int:
        """Fill the database vector column of rows written without it; returns how many."""
        return 0
