"""Keyword search: SQLite FTS5 (bm25) or PostgreSQL full-text (tsvector, GIN).

The query language is small and never raises: words (any order, ranked by bm25),
``"quoted phrases"``, ``prefix*``, ``author:name`` (or ``au:``), and an arXiv id on
its own. Everything else (FTS operators, brackets, NUL bytes, very long input) is
reduced to plain words before it reaches the database.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from paperfeed.catalogue.models import Authorship, Paper
from paperfeed.catalogue.version import database_key
from paperfeed.search import pruning
from paperfeed.search.filters import Filters
from paperfeed.sources.ids import InvalidArxivId, parse_arxiv_id

MAX_QUERY_CHARS = 1000
# A match expression with its parameters, and (paper id, score) pairs best first.
Match = tuple[str, list[str]]
Ranked = list[tuple[int, float]]
MAX_TERMS = 64
# What ranking a row costs, in bm25 rows (2-3 us): ts_rank unpacks each row's
# tsvector, about 30 us a row at 74,728 papers. The row budget is divided by it.
ROW_COST = {"sqlite": 1, "postgresql": 3}
# A filtered newest-first read walks at most this many times its window of matches.
FILTERED_WALK = 4
# bm25 column weights: title, abstract, authors.
BM25_WEIGHTS = (3.0, 1.0, 1.0)

# Very common English words: dropped from OR queries (they match nearly every row
# and cost time without helping the ranking). Kept inside quoted phrases.
_STOPWORDS = """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves"""
STOPWORDS = frozenset(_STOPWORDS.split())

_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(
    r"(?P<field>(?:author|au|title|ti|abstract|abs):)?"
    r'(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))',
    re.IGNORECASE,
)
_FIELDS = {"author": "authors", "au": "authors", "title": "title", "ti": "title"}
_FIELDS |= {"abstract": "abstract", "abs": "abstract"}


@dataclass
class ParsedQuery:
    """A user query reduced to safe parts: each term is a tuple of words."""

    terms: list[tuple[str | None, tuple[str, ...], bool]] = field(default_factory=list)
    arxiv_id: str | None = None

    @property
    def empty(self) -> bool:
        return not self.terms and self.arxiv_id is None


def clean_text(text: str) -> str:
    text = (text or "")[: MAX_QUERY_CHARS * 4]
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text[:MAX_QUERY_CHARS].strip()


def parse_query(text: str) -> ParsedQuery:
    """Split a user query into (column or None, words, is_prefix) terms."""
    text = clean_text(text)
    parsed = ParsedQuery()
    if not text:
        return parsed
    try:
        parsed.arxiv_id = parse_arxiv_id(text).id
        return parsed
    except InvalidArxivId:
        pass
    if text.count('"') % 2:
        text = text.replace('"', " ")
    seen: set[tuple[str | None, tuple[str, ...], bool]] = set()
    for match in _TOKEN.finditer(text):
        column = _FIELDS.get((match.group("field") or "").rstrip(":").lower())
        if match.group("phrase") is not None:
            phrase = tuple(w.lower() for w in _WORD.findall(match.group("phrase")))
            candidates = [(column, phrase, False)] if phrase else []
        else:
            raw = match.group("word")
            prefix = raw.endswith("*")
            words = [w.lower() for w in _WORD.findall(raw)]
            candidates = []
            for i, word in enumerate(words):
                is_prefix = prefix and i == len(words) - 1 and len(word) >= 2
                if column is None and not is_prefix and word in STOPWORDS:
                    continue
                candidates.append((column, (word,), is_prefix))
        for term in candidates:
            if term not in seen:
                seen.add(term)
                parsed.terms.append(term)
    if not parsed.terms:  # nothing but stopwords: search them after all
        for word in _WORD.findall(text.lower())[:MAX_TERMS]:
            term = (None, (word,), False)
            if term not in seen:
                seen.add(term)
                parsed.terms.append(term)
    parsed.terms = parsed.terms[:MAX_TERMS]
    return parsed


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


def _join(pieces: Sequence[tuple[str, list[str]]], joiner: str) -> tuple[str, list[str]]:
    return joiner.join(f"({sql})" for sql, _ in pieces), [p for _, ps in pieces for p in ps]


def lookup_id(arxiv_id: str, filters: Filters | None = None) -> list[tuple[int, float]]:
    filters = filters or Filters()
    where, params = filters.sql("p")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id FROM {Paper._meta.db_table} p WHERE p.arxiv_id = %s{where}",
            [arxiv_id, *params],
        )
        return [(row[0], 1.0) for row in cursor.fetchall()]


def keyword_search(
    query: str, filters: Filters | None = None, limit: int = 20, offset: int = 0
) -> list[tuple[int, float]]:
    """(paper id, score) pairs, best first; score is higher-is-better. A query of
    common words ranks a bounded set of papers (:mod:`paperfeed.search.pruning`)."""
    filters = filters or Filters()
    parsed = parse_query(query)
    limit = max(0, int(limit))
    offset = max(0, int(offset))
    if parsed.arxiv_id:
        return lookup_id(parsed.arxiv_id, filters)[offset : offset + limit]
    if not parsed.terms or limit == 0:
        return []
    if connection.vendor == "sqlite":
        ranker: _Ranker = _Fts5Ranker(parsed, filters)
    elif connection.vendor == "postgresql":
        ranker = _PostgresRanker(parsed, filters)
    else:  # pragma: no cover
        raise NotImplementedError(f"keyword search on {connection.vendor}")
    scope = database_key()
    budget = -(-pruning.row_budget() // ranker.row_cost)  # rounded up: 0 stays "off"
    chosen = pruning.plan(ranker.terms, ranker.count, budget, scope, ranker.postings_per_row)
    ranker.scored = chosen.scored
    if chosen.kind == pruning.FULL:
        return ranker.rank(ranker.any_of(chosen.scored), limit, offset)
    want = offset + limit
    found: Ranked = []
    if chosen.kind == pruning.SPLIT:
        found = ranker.rank(ranker.any_of(chosen.rare), want, 0)
        if chosen.common:
            both = ranker.rank(ranker.both(chosen.rare, chosen.common), want, 0)
            found = pruning.merge(both, found, want)
    if len(found) < want:  # NEWEST, or a short page: the newest papers with a word
        newest = ranker.rank(ranker.any_of(chosen.scored), want, 0, newest=chosen.window)
        found = pruning.merge(found, newest, want)
    return found[offset:]


class _Ranker:
    """Match expressions and ranked reads for one parsed query on one database.
    ``scored``: the terms the ranking counts (the plan's)."""

    terms: list[str]
    scored: Sequence[int] = ()
    # How many postings the ranking may read per budget row (None: it reads none).
    postings_per_row: int | None = pruning.POSTINGS_PER_ROW
    # What ranking a row costs against bm25's 2-3 us: the row budget is divided by it.
    row_cost = ROW_COST["sqlite"]

    def any_of(self, indexes: Iterable[int]) -> tuple[str, list[str]]:
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
    def _fetch(sql: str, args: Sequence[Any]) -> list[tuple[int, float]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, list(args))
            return [(row[0], float(row[1])) for row in cursor.fetchall()]


class _Fts5Ranker(_Ranker):
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


class _PostgresRanker(_Ranker):
    postings_per_row = None  # ts_rank has no idf: no document lists to read
    row_cost = ROW_COST["postgresql"]

    def __init__(self, parsed: ParsedQuery, filters: Filters) -> None:
        self.pieces = tsquery_terms(parsed)
        # The plan's cache key: the SQL with its words.
        self.terms = [sql.replace("%s", repr(params[0])) for sql, params in self.pieces]
        self.where, self.params = filters.sql("p")

    def any_of(self, indexes: Iterable[int]) -> Match:
        return _join([self.pieces[i] for i in indexes], " || ")

    def both(self, rare: Iterable[int], common: Iterable[int]) -> Match:
        first, first_params = self.any_of(rare)
        second, second_params = self.any_of(common)
        return f"({first}) && ({second})", [*first_params, *second_params]

    def count(self, term: str, cap: int) -> int:
        """The planner's estimate, from the lexeme statistics ANALYZE keeps (autovacuum
        refreshes them): counting the rows re-checked each one's tsvector, 30 us a row,
        about 100 ms a query before the counts were cached. An estimate only steers
        the plan, like a count."""
        sql, params = self.pieces[self.terms.index(term)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_paperfts WHERE document @@ ({sql})",
                params,
            )
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return min(cap, int(plan[0]["Plan"]["Plan Rows"]))

    def rank(self, match: Match, limit: int, offset: int, newest: int = 0) -> Ranked:
        # Rows come from ``match``, the rank from the OR of the scored terms: ts_rank's
        # value depends on the query's shape (AND and OR rank differently) and word
        # count, so this keeps every read of one search on one scale.
        paper = Paper._meta.db_table
        q_sql, q_params = match
        r_sql, r_params = self.any_of(self.scored or range(len(self.pieces)))
        head = f"WITH q AS (SELECT ({q_sql}) AS q, ({r_sql}) AS r)"
        matches = (
            f"FROM search_paperfts d CROSS JOIN q JOIN {paper} p ON p.id = d.paper_id"
            f" WHERE d.document @@ q.q{self.where}"
        )
        args = [*q_params, *r_params, *self.params]
        if newest:  # as on SQLite, a filtered read walks a bounded number of matches
            since = 0
            if self.where:
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT paper_id FROM search_paperfts WHERE document @@ ({q_sql})"
                        " ORDER BY paper_id DESC LIMIT 1 OFFSET %s",
                        [*q_params, FILTERED_WALK * newest - 1],
                    )
                    row = cursor.fetchone()
                since = row[0] if row else 0
            return self._fetch(
                f"{head} SELECT paper_id, score FROM"
                f" (SELECT d.paper_id, ts_rank(d.document, q.r) AS score {matches}"
                " AND d.paper_id >= %s ORDER BY d.paper_id DESC LIMIT %s) s"
                " ORDER BY score DESC, paper_id LIMIT %s OFFSET %s",
                [*args, since, newest, limit, offset],
            )
        return self._fetch(
            f"{head} SELECT d.paper_id, ts_rank(d.document, q.r) AS score {matches}"
            " ORDER BY score DESC, d.paper_id LIMIT %s OFFSET %s",
            [*args, limit, offset],
        )


# --------------------------------------------------------------------------- indexing


def _documents(paper_ids: Sequence[int]) -> list[tuple[int, str, str, str]]:
    papers = dict(
        (pk, (title, abstract))
        for pk, title, abstract in Paper.objects.filter(id__in=paper_ids).values_list(
            "id", "title", "abstract"
        )
    )
    authors: dict[int, list[str]] = defaultdict(list)
    for pk, name in (
        Authorship.objects.filter(paper_id__in=list(papers))
        .order_by("paper_id", "position")
        .values_list("paper_id", "author__name")
    ):
        authors[pk].append(name)
    return [
        (pk, title or "", abstract or "", "; ".join(authors[pk]))
        for pk, (title, abstract) in papers.items()
    ]


def index_keyword(paper_ids: Iterable[int], chunk: int = 500) -> int:
    """(Re)write the keyword index rows of these papers; gone papers lose theirs."""
    ids = sorted(set(paper_ids))
    written = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        docs = _documents(part)
        marks = ", ".join(["%s"] * len(part))
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"DELETE FROM paper_fts WHERE rowid IN ({marks})", part)
                cursor.executemany(
                    "INSERT INTO paper_fts (rowid, title, abstract, authors)"
                    " VALUES (%s, %s, %s, %s)",
                    docs,
                )
            else:
                cursor.execute(f"DELETE FROM search_paperfts WHERE paper_id IN ({marks})", part)
                cursor.executemany(
                    "INSERT INTO search_paperfts (paper_id, document) VALUES (%s,"
                    " setweight(to_tsvector('english', %s), 'A')"
                    " || setweight(to_tsvector('english', %s), 'B')"
                    " || setweight(to_tsvector('simple', %s), 'C'))",
                    docs,
                )
        written += len(docs)
    return written


def optimize_keyword_index() -> None:
    """Merge the FTS5 index into one segment after a full rebuild: each term look-up
    then reads one b-tree instead of one per segment the incremental writes left
    (14 s at a million papers). PostgreSQL's GIN index needs no such step."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO paper_fts (paper_fts) VALUES ('optimize')")


def clear_keyword_index() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM paper_fts")
        else:
            cursor.execute("DELETE FROM search_paperfts")


def keyword_table() -> tuple[str, str]:
    """The keyword index's table and its paper-id column on this database."""
    if connection.vendor == "sqlite":
        return "paper_fts", "rowid"
    return "search_paperfts", "paper_id"


def keyword_index_missing() -> list[int]:
    """Papers with no keyword index row."""
    paper = Paper._meta.db_table
    table, key = keyword_table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id FROM {paper} p WHERE NOT EXISTS"
            f" (SELECT 1 FROM {table} f WHERE f.{key} = p.id) ORDER BY p.id"
        )
        return [row[0] for row in cursor.fetchall()]
