"""SQLite: keyword rows in an FTS5 table ranked by bm25; vectors as float32 bytes
searched in process (``paperfeed.search.vectors``: exact, then an hnswlib file).

``paper_fts`` (created by the search app's first migration): rowid = paper id,
porter stemming, a delete trigger on the paper table.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from paperfeed.catalogue.models import Paper
from paperfeed.search.backends.base import (
    FILTERED_WALK,
    KeywordRanker,
    Match,
    Ranked,
    SearchBackend,
)
from paperfeed.search.filters import Filters
from paperfeed.search.query import ParsedQuery

# bm25 column weights: title, abstract, authors.
BM25_WEIGHTS = (3.0, 1.0, 1.0)


def fts5_terms(parsed: ParsedQuery) -> list[str]:
    """One FTS5 expression per term, each quoted (so no operator gets through)."""
    parts = []
    for column, words, prefix in parsed.terms:
        quoted = '"' + " ".join(w.replace('"', '""') for w in words) + '"'
        if prefix:
            quoted += "*"
        parts.append(f"{column} : {quoted}" if column else quoted)
    return parts


def fts5_query(parsed: ParsedQuery) -> str:
    """An FTS5 MATCH expression: every term quoted, joined by OR."""
    return " OR ".join(fts5_terms(parsed))


class Fts5Ranker(KeywordRanker):
    def __init__(self, parsed: ParsedQuery, filters: Filters) -> None:
        self.terms = fts5_terms(parsed)
        self.where, self.params = filters.sql("p")

    def any_of(self, indexes: Iterable[int]) -> Match:
        return " OR ".join(self.terms[i] for i in indexes), []

    def both(self, rare: Iterable[int], common: Iterable[int]) -> Match:
        return f"({self.any_of(rare)[0]}) AND ({self.any_of(common)[0]})", []

    def count(self, term: str, cap: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM paper_fts WHERE paper_fts MATCH %s LIMIT %s)",
                [term, cap],
            )
            return int(cursor.fetchone()[0])

    def rank(self, match: Match, limit: int, offset: int, newest: int = 0) -> Ranked:
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        # The paper table only for filters: a look-up per matching row doubled the time
        # of broad queries (a delete trigger keeps paper_fts free of gone papers).
        paper = Paper._meta.db_table
        join = f" JOIN {paper} p ON p.id = f.rowid" if self.where else ""
        matches = f"FROM paper_fts f{join} WHERE paper_fts MATCH %s{self.where}"
        if newest:  # FTS5 walks its rows newest first and stops: bm25 on those only
            since = self._walk_start(match[0], newest) if self.where else 0
            return self._fetch(
                f"SELECT rowid, score FROM (SELECT f.rowid AS rowid,"
                f" -bm25(paper_fts, {weights}) AS score {matches} AND f.rowid >= %s"
                " ORDER BY f.rowid DESC LIMIT %s) ORDER BY score DESC, rowid LIMIT %s OFFSET %s",
                [match[0], *self.params, since, newest, limit, offset],
            )
        return self._fetch(
            f"SELECT f.rowid, -bm25(paper_fts, {weights}) AS score {matches}"
            f" ORDER BY bm25(paper_fts, {weights}), f.rowid LIMIT %s OFFSET %s",
            [match[0], *self.params, limit, offset],
        )

    @staticmethod
    def _walk_start(match: str, window: int) -> int:
        """The smallest rowid a filtered newest-first read looks at: that of the
        ``FILTERED_WALK`` x ``window``-th newest match (0 if fewer match). Checking
        the filter costs about 3 us a row, and a small category's papers are rare
        among the matches of common words: walking all of them took seconds at a
        million papers. Finding the start costs about 60 ns a row (no bm25)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM paper_fts WHERE paper_fts MATCH %s"
                " ORDER BY rowid DESC LIMIT 1 OFFSET %s",
                [match, FILTERED_WALK * window - 1],
            )
            row = cursor.fetchone()
        return row[0] if row else 0


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"
    row_cost = 1
    keyword_table = "paper_fts"
    keyword_key = "rowid"
    keyword_insert = (
        "INSERT INTO paper_fts (rowid, title, abstract, authors) VALUES (%s, %s, %s, %s)"
    )

    def ranker(self, parsed: ParsedQuery, filters: Filters) -> KeywordRanker:
        return Fts5Ranker(parsed, filters)

    def optimize_keyword_rows(self) -> None:
        """Merge the FTS5 index into one segment: each term look-up then reads one
        b-tree instead of one per segment the incremental writes left (14 s at a
        million papers)."""
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO paper_fts (paper_fts) VALUES ('optimize')")
