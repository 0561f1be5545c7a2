"""PostgreSQL: keyword rows as weighted tsvectors (GIN index) ranked by ts_rank;
vectors in a pgvector column searched through its HNSW index, or, with
``PAPERFEED_PGVECTOR=0``, as float32 bytes searched in process as on SQLite.

``search_paperfts`` (created by the search app's first migration): one row per
paper, a delete trigger on the paper table. The HNSW index is created here, the
first time vectors are written with pgvector on (:meth:`ensure_vector_index`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from paperfeed.catalogue.models import Paper
from paperfeed.catalogue.version import database_key
from paperfeed.memo import Lru
from paperfeed.search.backends.base import (
    FILTERED_WALK,
    Document,
    KeywordRanker,
    Match,
    Ranked,
    SearchBackend,
)
from paperfeed.search.filters import Filters, category_predicate, codes_and_archives
from paperfeed.search.pruning import COUNT_CACHE_SIZE, COUNT_TTL
from paperfeed.search.query import ParsedQuery

EMBEDDING_TABLE = "search_paperembedding"
HNSW_INDEX = "search_embedding_hnsw"
# pgvector's HNSW index over the embeddings (cosine). Left out with pgvector off:
# binaries built for newer CPUs die with SIGILL in their distance code. At a million
# papers (benchmarks/pgvector_recall.py --build) m 24 / ef_construction 128 took 2.5
# times as long to build as pgvector's 16 / 64 (28 against 11 min) and found 0.979 of
# a text query's 10 nearest at ef_search 400 against 0.938 (0.985 and 0.977 at 1,000).
HNSW_PARAMETERS = "(m = 24, ef_construction = 128)"
HNSW_DDL = (
    f"CREATE INDEX IF NOT EXISTS {HNSW_INDEX} ON {EMBEDDING_TABLE}"
    f" USING hnsw (pgvector vector_cosine_ops) WITH {HNSW_PARAMETERS}"
)
# A filter keeps only its share of what the beam finds: the widest beam pgvector
# allows, and at least this many rows read, then sorted here (an iterative scan in
# relaxed order returns them only roughly nearest first). At a million papers recall@10
# for categories of 15 to 50 % of the papers went from 0.96 to 0.97 reading 100.
FILTERED_EF_SEARCH = 1000
FILTERED_DEPTH = 100

# A category big enough to be searched through an index (more papers than
# ``vectors.database_exact_size`` scores exactly) gets an HNSW index of its own rows:
# a partial index whose predicate is the filter's own test on the row
# (``filters.category_predicate``). In the whole-table index the iterative scan must
# walk past every nearer paper outside the category: for a query far from cs.CL (a
# third of a million papers) it read 9,855 index rows to find 100 in the category
# (p95 213 ms); in the category's own graph no row is passed over, so it is searched
# as an unfiltered query is. Built by :meth:`PostgresBackend.ensure_category_indexes`.
CATEGORY_INDEX_PREFIX = "search_embedding_hnsw_c_"
# ...with a wider beam than the whole table's: there a text query's nearest papers are
# near-ties among a category's many close neighbours, and the beam of 400 missed more of
# them, some queries all ten. cs.CL's rows at a million papers (339,779;
# benchmarks/category_index.py, 3 x 200 queries), recall@10 by ef_search: 400 0.944 to
# 0.965, 600 0.961 to 0.981, 800 0.970 to 0.988, 1,000 0.975 to 0.993; p95 21-24, 27-33,
# 38-41, 43-52 ms.
OWN_INDEX_EF_SEARCH = 800


# An estimated row count above this many times the cap is taken as it is (count()).
ESTIMATE_TRUSTED = 10

# Newest-first reads. A NEWEST read ranks the newest ``window`` matches of words none
# of which is rare (more than the row budget each). GIN gives a word's rows in no
# order, so PostgreSQL either walks the primary key from the newest paper testing each
# row (about window / share rows: 2 us each) or reads every match and sorts (share x
# papers, 3.5 us each). Both are worst for words in a few percent of the papers: at a
# million papers (the corpus tiled, benchmarks/keyword_newest.py) "privacy" and
# "autonomous driving" (2 %) took 83-105 ms as the planner chose. So each keyword row
# also holds the block of ids its paper falls in, as a lexeme no query word can
# produce ("@61" for ids 999,424 to 1,015,807), and such a read asks GIN for the
# word's rows within the newest blocks only: as many blocks as the planner's estimate
# of the word's share says will hold the window (at most FIRST_READ_BLOCKS), then as
# many as what they held says (at most four times as many), then the rest whole
# (10-12 ms for those words). A word in a quarter of the papers or more is walked (a
# few thousand rows). The result is the same in every case.
BLOCK_MARK = "@"
BLOCK_BITS = 14  # 16,384 ids a block: 62 blocks at a million papers
BLOCKS_A_READ = 16  # beyond this many blocks a read takes the rest whole
# The planner's share for a word outside its most-common list is a guess, often far too
# low ("privacy" 0.5 % for 2.2 %: 15 blocks read, 61 ms), so the first read takes at
# most this many blocks. A word it calls rare starts there too: read whole at once,
# "autonomous driving" (0.2 % for 2.0 %) took 111 ms.
FIRST_READ_BLOCKS = 4
COMMON_SHARE = 0.25
SPAN_MARGIN = 1.2  # read blocks for a fifth more matches than the window needs
# Planner estimates of a match's rows and of all rows, per database and match.
estimates: Lru[tuple[str, str], float, tuple[float, float]] = Lru(COUNT_CACHE_SIZE)


def block_term(paper_id: int) -> str:
    """The lexeme of the block of ids ``paper_id`` falls in."""
    return f"{BLOCK_MARK}{paper_id >> BLOCK_BITS}"


def blocks_match(first: int, last: int) -> str:
    """A tsquery of any of blocks ``first`` to ``last``."""
    return " | ".join(f"'{BLOCK_MARK}{block}'" for block in range(first, last + 1))


# A keyword row also holds its paper's categories, as lexemes no query word can
# produce or prefix-match (words are \w+): "#cs.CL" for cs.CL and "#cs" for its
# archive, as written (codes are compared as written everywhere). A category filter
# is then part of the match, intersected inside the GIN index, rather than a join
# tested on each matching row: a filtered read of the newest matches walked the
# words' matches testing each paper's categories, 250-480 ms at a million papers for
# words in a few percent of the papers and a category in a few percent. (The search
# app's migration 0003 adds them to older rows.)
CATEGORY_MARK = "#"


def category_terms(codes: Iterable[str]) -> list[str]:
    """The lexemes of a paper's categories: each category's, and its archive's."""
    return [CATEGORY_MARK + code for code in codes_and_archives(codes)]


def category_match(codes: Sequence[str]) -> Match:
    """A tsquery of any of a filter's categories: a code with a dot is that category,
    one without is an archive (all its categories)."""
    quoted = [
        "'" + (CATEGORY_MARK + code).replace("\\", "\\\\").replace("'", "''") + "'"
        for code in codes
    ]
    return "%s::tsquery", [" | ".join(quoted)]


def tsquery_terms(parsed: ParsedQuery) -> list[tuple[str, list[str]]]:
    """SQL building one PostgreSQL tsquery per term, words passed as parameters."""
    pieces: list[tuple[str, list[str]]] = []
    for column, words, prefix in parsed.terms:
        config = "simple" if column == "authors" else "english"
        weight = {"title": "A", "abstract": "B", "authors": "C"}.get(column or "", "")
        if len(words) == 1 and (prefix or weight):
            # e.g. 'segm':*  'smith':C  'graph':*A  (words are \w+ only: nothing to escape)
            pieces.append(
                (f"to_tsquery('{config}', %s)", [f"'{words[0]}':{'*' if prefix else ''}{weight}"])
            )
        else:
            pieces.append((f"phraseto_tsquery('{config}', %s)", [" ".join(words)]))
    return pieces


def _spelled(match: Match) -> str:
    """The SQL with its parameters written in (a cache key, never run)."""
    sql, params = match
    parts = sql.split("%s")
    return parts[0] + "".join(repr(p) + rest for p, rest in zip(params, parts[1:], strict=True))


def _join(pieces: Sequence[tuple[str, list[str]]], joiner: str) -> Match:
    return joiner.join(f"({sql})" for sql, _ in pieces), [p for _, ps in pieces for p in ps]


class TsvectorRanker(KeywordRanker):
    postings_per_row = None  # ts_rank has no idf: no document lists to read
    scores_every_term = True  # rank() scores against the OR of the scored terms

    def __init__(self, parsed: ParsedQuery, filters: Filters) -> None:
        # Categories join every match expression; dates stay a condition on the paper.
        self.within = category_match(filters.categories) if filters.categories else None
        self.scoring = tsquery_terms(parsed)
        self.pieces = [self._within(piece) for piece in self.scoring]
        # The plan's cache key: the SQL with its words (and categories).
        self.terms = [_spelled(piece) for piece in self.pieces]
        self.where, self.params = replace(filters, categories=()).sql("p")

    def _within(self, match: Match) -> Match:
        if self.within is None:
            return match
        return f"({match[0]}) && ({self.within[0]})", [*match[1], *self.within[1]]

    def _or(self, indexes: Iterable[int]) -> Match:
        """The OR of these terms' words alone: what ts_rank scores against."""
        return _join([self.scoring[i] for i in indexes], " || ")

    def any_of(self, indexes: Iterable[int]) -> Match:
        return self._within(self._or(indexes))

    def both(self, rare: Iterable[int], common: Iterable[int]) -> Match:
        first, first_params = self._or(rare)
        second, second_params = self._or(common)
        return self._within((f"({first}) && ({second})", [*first_params, *second_params]))

    def count(self, term: str, cap: int) -> int:
        """How many rows match, counting at most ``cap``. The planner's estimate (from
        the lexeme statistics ANALYZE keeps) where it is well above the cap: such a
        word is common, and counting it would read its whole GIN posting list (35-50
        ms at a million papers). Otherwise counted: for a word outside its
        most-common list the planner guesses half the least common one's share, over
        a thousand rows at a million papers, so with estimates alone every word
        looked common and no search had a rare word to start from. The count stops at
        the cap, and a word's rows need no re-check of their tsvectors."""
        sql, params = self.pieces[self.terms.index(term)]
        if planned_rows(sql, params) > ESTIMATE_TRUSTED * cap:
            return cap
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM search_paperfts"
                f" WHERE document @@ ({sql}) LIMIT %s) s",
                [*params, cap],
            )
            return int(cursor.fetchone()[0])

    def rank(self, match: Match, limit: int, offset: int, newest: int = 0) -> Ranked:
        # Rows come from ``match``, the rank from the OR of the scored terms: ts_rank's
        # value depends on the query's shape (AND and OR rank differently) and word
        # count, so this keeps every read of one search on one scale.
        paper = Paper._meta.db_table
        q_sql, q_params = match
        r_sql, r_params = self._or(self.scored or range(len(self.pieces)))
        if newest and self.where:
            # As on SQLite, a filtered read walks a bounded number of matches, the
            # newest FILTERED_WALK windows, and ranks those passing the filter: their
            # ids read first (by blocks, as an unfiltered read's), then those rows
            # joined with their papers. Before blocks it was one scan of the walk that
            # stopped once enough had passed (at a million papers p50 41 / p95 145 ms,
            # against 70 / 367 for a first version in two reads: the walk's oldest id,
            # then a read from there); the walk it shared with the unfiltered read is
            # what blocks shorten. Not measured again at a million.
            walked = [row[0] for row in newest_rows(match, FILTERED_WALK * newest)]
            return self._fetch(
                f"WITH q AS (SELECT ({r_sql}) AS r) SELECT paper_id, score FROM"
                " (SELECT d.paper_id, ts_rank(d.document, q.r) AS score FROM"
                f" search_paperfts d JOIN {paper} p ON p.id = d.paper_id CROSS JOIN q"
                f" WHERE d.paper_id = ANY(%s){self.where} ORDER BY d.paper_id DESC LIMIT %s) s"
                " ORDER BY score DESC, paper_id LIMIT %s OFFSET %s",
                [*r_params, walked, *self.params, newest, limit, offset],
            )
        if newest:
            rows = newest_rows(match, newest, score=(r_sql, r_params))
            rows.sort(key=lambda row: (-row[1], row[0]))
            return [(pk, float(score)) for pk, score in rows[offset : offset + limit]]
        head = f"WITH q AS (SELECT ({q_sql}) AS q, ({r_sql}) AS r)"
        # The paper table only for a filter: a keyword row's paper exists (a trigger
        # deletes the row with it), and the join cost a look-up per matching row.
        join = f" JOIN {paper} p ON p.id = d.paper_id" if self.where else ""
        matches = f"FROM search_paperfts d CROSS JOIN q{join} WHERE d.document @@ q.q{self.where}"
        args = [*q_params, *r_params, *self.params]
        return self._fetch(
            f"{head} SELECT d.paper_id, ts_rank(d.document, q.r) AS score {matches}"
            " ORDER BY score DESC, d.paper_id LIMIT %s OFFSET %s",
            [*args, limit, offset],
        )


def planned_rows(sql: str, params: Sequence[Any]) -> float:
    """The planner's estimate of the keyword rows matching ``sql``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_paperfts WHERE document @@ ({sql})",
            list(params),
        )
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def estimated_rows(match: Match) -> tuple[float, float]:
    """The planner's estimates of the keyword rows matching ``match`` and of all of
    them (0 before the table's first statistics), read together and kept per process
    for COUNT_TTL seconds, as the pruning counts are."""
    key = (database_key(), _spelled(match))
    now = time.monotonic()
    found = estimates.get(key, lambda read_at: now - read_at < COUNT_TTL)
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'search_paperfts'::regclass")
            total = max(0.0, float(cursor.fetchone()[0]))
        found = (planned_rows(*match), total)
        estimates.put(key, now, found)
    return found


def newest_rows(match: Match, want: int, score: Match | None = None) -> list[tuple[Any, ...]]:
    """The newest ``want`` keyword rows of ``match``, newest first: (paper id, its
    ts_rank against ``score``) with ``score``, else (paper id,). Read by blocks of ids
    where the match's share of the rows calls for it (see BLOCK_BITS)."""
    q_sql, q_params = match
    columns, column_params = "d.paper_id", []
    if score is not None:
        columns, column_params = f"d.paper_id, ts_rank(d.document, ({score[0]}))", score[1]

    def read(
        where: str, params: list[Any], limit: int, by: str = "d.paper_id"
    ) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM search_paperfts d WHERE {where}"
                f" ORDER BY {by} DESC LIMIT %s",
                [*column_params, *params, limit],
            )
            return [tuple(row) for row in cursor.fetchall()]

    plain = f"d.document @@ ({q_sql})"
    rows, total = estimated_rows(match)
    if not total or rows >= COMMON_SHARE * total:
        return read(plain, q_params, want)
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(paper_id), MAX(paper_id) FROM search_paperfts")
        low, top = cursor.fetchone()
    found: list[tuple[Any, ...]] = []
    upto = top  # the newest id not read yet
    rate = rows / (top - low + 1) if top is not None else 0  # matches an id, gaps counted
    most = FIRST_READ_BLOCKS  # blocks this read may take
    while upto is not None and len(found) < want:
        need = want - len(found)
        span = math.ceil(SPAN_MARGIN * need / rate) if rate else upto + 1
        first, last = max(0, upto - span + 1) >> BLOCK_BITS, upto >> BLOCK_BITS
        first = max(first, last - most + 1)
        # Ordered by an expression, not the key: the planner, which cannot know that
        # the blocks are the newest ids, would otherwise walk the key for a match it
        # estimates common, reading the window / share rows this read exists to avoid.
        if first <= 0 or last - first >= BLOCKS_A_READ:  # the rest, sparse: read it whole
            rest = [*q_params, upto]
            found += read(f"{plain} AND d.paper_id <= %s", rest, need, "d.paper_id + 0")
            break
        blocks = [*q_params, blocks_match(first, last)]
        got = read(f"d.document @@ (({q_sql}) && %s::tsquery)", blocks, need, "d.paper_id + 0")
        found += got
        if len(found) >= want:
            break
        start = first << BLOCK_BITS
        oldest, below = ids_around(start)
        if got:  # what the ids in use among those read held
            rate = len(got) / (upto - max(start, oldest or start) + 1)
        most = 4 * (last - first + 1)  # a gap in the ids may have thinned them
        upto = below
    return found


def ids_around(start: int) -> tuple[int | None, int | None]:
    """The oldest keyword row's id from ``start`` on and the newest below it (two
    probes of the key, one statement). A read's rate counts only the ids in use among
    those it read, and the next read starts at the newest id below them, so a stretch
    of unused ids (a range of papers deleted; the grown benchmark catalogue's copies,
    10^8 ids apart) is stepped over, not read. Reading on from ``start - 1`` with the
    rate over every id, "privacy" at a million papers met thin and empty blocks after
    its first read and read the rest whole: 99 ms of a 111-ms search."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT MIN(paper_id) FROM search_paperfts WHERE paper_id >= %s),"
            " (SELECT MAX(paper_id) FROM search_paperfts WHERE paper_id < %s)",
            [start, start],
        )
        oldest, below = cursor.fetchone()
        return oldest, below


def pg_ef_search(want: int, ef: int | None = None) -> int:
    """pgvector's beam: ``PAPERFEED_PG_EF_SEARCH`` for text queries (``ef`` when given,
    as for similar papers), at least twice the page, at most pgvector's limit of 1,000."""
    return max(40, min(1000, max(ef or settings.PAPERFEED_PG_EF_SEARCH, 2 * want)))


def category_index_name(code: str) -> str:
    """A category's partial HNSW index: readable, unique even between codes that
    differ only in case, within PostgreSQL's 63 characters."""
    slug = re.sub(r"[^a-z0-9]+", "_", code.lower())[:30]
    digest = hashlib.blake2b(code.encode(), digest_size=4).hexdigest()
    return f"{CATEGORY_INDEX_PREFIX}{slug}_{digest}"


def pgvector_literal(vector: np.ndarray) -> str:
    """pgvector's text form of a vector."""
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"


class PostgresBackend(SearchBackend):
    vendor = "postgresql"
    # ts_rank unpacks each row's tsvector, about 30 us a row at 74,728 papers.
    row_cost = 3
    keyword_table = "search_paperfts"
    keyword_key = "paper_id"
    # Title (A) and abstract (B) stemmed, authors (C) as written.
    keyword_insert = (
        "INSERT INTO search_paperfts (paper_id, document) VALUES (%s,"
        " setweight(to_tsvector('english', %s), 'A')"
        " || setweight(to_tsvector('english', %s), 'B')"
        " || setweight(to_tsvector('simple', %s), 'C')"
        " || array_to_tsvector(%s::text[]))"
    )

    def __init__(self, pgvector: bool = True) -> None:
        self.vectors_in_database = pgvector

    def ranker(self, parsed: ParsedQuery, filters: Filters) -> KeywordRanker:
        return TsvectorRanker(parsed, filters)

    def keyword_values(self, doc: Document) -> tuple[Any, ...]:
        return (*doc[:4], [*category_terms(doc[4]), block_term(doc[0])])

    def vector_value(self, vector: np.ndarray) -> np.ndarray | None:
        return vector if self.vectors_in_database else None

    def stored_vectors(
        self, wanted: Sequence[int], model_name: str
    ) -> tuple[list[int], list[bytes | memoryview]]:
        """One binary COPY for all of them: rows arrive as raw bytes, not hex text to
        decode, and one statement takes the ids as an array. A category of 27,000
        papers at a million took 0.38 s, against 0.8 to 0.9 s in chunks of 900."""
        ids_out: list[int] = []
        blobs: list[bytes | memoryview] = []
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY (SELECT paper_id, vector FROM {EMBEDDING_TABLE}"
                " WHERE model_name = %s AND paper_id = ANY(%s)) TO STDOUT (FORMAT BINARY)",
                [model_name, list(wanted)],
            ) as copy,
        ):
            copy.set_types(["int8", "bytea"])
            for pk, blob in copy.rows():
                ids_out.append(pk)
                blobs.append(blob)
        return ids_out, blobs

    def nearest(
        self, query: np.ndarray, want: int, filters: Filters, model_name: str, ef: int | None
    ) -> Ranked:
        join, where, params = filters.embedding_sql("e", "p")
        literal = pgvector_literal(query)
        beam = pg_ef_search(want, ef)
        read = want
        # SET LOCAL only lasts inside a transaction (pgvector 0.8+ for iterative scans).
        with transaction.atomic(), connection.cursor() as cursor:
            if where and self._own_index(cursor, filters):
                beam = max(beam, OWN_INDEX_EF_SEARCH)
            elif where:
                beam, read = max(beam, FILTERED_EF_SEARCH), max(want, FILTERED_DEPTH)
            cursor.execute(f"SET LOCAL hnsw.ef_search = {beam}")
            cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            cursor.execute(
                "SELECT e.paper_id, 1 - (e.pgvector <=> %s::vector) AS score"
                f" FROM {EMBEDDING_TABLE} e{join}"
                f" WHERE e.model_name = %s AND e.pgvector IS NOT NULL{where}"
                " ORDER BY e.pgvector <=> %s::vector LIMIT %s",
                [literal, model_name, *params, literal, read],
            )
            rows = [(row[0], float(row[1])) for row in cursor.fetchall()]
        rows.sort(key=lambda r: (-r[1], r[0]))  # relaxed order: re-sort the page
        return rows[:want]

    @staticmethod
    def _own_index(cursor: Any, filters: Filters) -> bool:
        """Whether the filter is one category with a usable index of its own rows:
        then nothing the scan finds is filtered out, and the page is all it reads."""
        if len(filters.categories) != 1 or filters.date_from or filters.date_to:
            return False
        cursor.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
            [category_index_name(filters.categories[0])],
        )
        row = cursor.fetchone()
        return bool(row and row[0])

    def category_indexes(self) -> dict[str, bool]:
        """The categories' partial HNSW indexes there are: name to whether it is valid
        (a concurrent build that failed leaves an invalid one behind)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, i.indisvalid FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE i.indrelid = to_regclass(%s) AND starts_with(c.relname, %s)",
                [EMBEDDING_TABLE, CATEGORY_INDEX_PREFIX],
            )
            return {name: valid for name, valid in cursor.fetchall()}

    def ensure_category_indexes(self, above: int, up_to: int) -> list[str]:
        """Build the missing partial HNSW index of each category or archive with more
        than ``above`` and at most ``up_to`` embedded papers; returns the codes built.

        Outside a transaction each is built ``CONCURRENTLY`` (embeddings go on being
        written meanwhile) after dropping an invalid one a failed build left. One
        process builds at a time (an advisory lock; the others return at once). An
        index whose category later shrinks stays: it is still right, only larger than
        needed. Above ``up_to`` (most of the table) the whole-table index finds the
        category's rows among the nearest anyway."""
        if not self.vectors_in_database:
            return []
        concurrently = "" if connection.in_atomic_block else " CONCURRENTLY"
        built: list[str] = []
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [CATEGORY_INDEX_PREFIX])
            if not cursor.fetchone()[0]:
                return []
            try:
                cursor.execute(
                    f"SELECT code FROM {EMBEDDING_TABLE}, jsonb_array_elements_text(categories)"
                    " code GROUP BY code HAVING count(*) > %s AND count(*) <= %s ORDER BY code",
                    [above, up_to],
                )
                wanted = [row[0] for row in cursor.fetchall()]
                have = self.category_indexes()
                for code in wanted:
                    name = category_index_name(code)
                    if have.get(name):
                        continue
                    if name in have:
                        cursor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")
                    predicate = category_predicate(code)
                    if predicate == "FALSE":
                        continue
                    cursor.execute(
                        f"CREATE INDEX{concurrently} {name} ON {EMBEDDING_TABLE}"
                        f" USING hnsw (pgvector vector_cosine_ops) WITH {HNSW_PARAMETERS}"
                        f" WHERE {predicate}"
                    )
                    built.append(code)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [CATEGORY_INDEX_PREFIX])
        return built

    def ensure_vector_index(self) -> None:
        """Create the HNSW index if it is missing (looked up first: CREATE INDEX IF NOT
        EXISTS would still lock the table against writers while it checks)."""
        if not self.vectors_in_database:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [HNSW_INDEX])
            if cursor.fetchone()[0] is not None:
                return
            # Inside a caller's transaction, CREATE INDEX refuses while deferred foreign
            # key checks of earlier writes are pending: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(HNSW_DDL)

    def complete_vectors(self, model_name: str, chunk: int = 2000) -> int:
        """Fill the pgvector column of rows written with pgvector off from their float32
        bytes, then create the HNSW index if it is missing, so switching pgvector on
        takes ``reindex --missing``, not a new embedding run."""
        if not self.vectors_in_database:
            return 0
        filled = 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT paper_id, vector FROM {EMBEDDING_TABLE}"
                    " WHERE pgvector IS NULL AND model_name = %s ORDER BY paper_id LIMIT %s",
                    [model_name, chunk],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                cursor.executemany(
                    f"UPDATE {EMBEDDING_TABLE} SET pgvector = %s::vector WHERE paper_id = %s",
                    [
                        (pgvector_literal(np.frombuffer(bytes(blob), dtype=np.float32)), pk)
                        for pk, blob in rows
                    ],
                )
            filled += len(rows)
        self.ensure_vector_index()
        return filled
