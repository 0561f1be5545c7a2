"""Keyword search and the keyword rows behind it, on any database.

Queries are parsed by :mod:`paperfeed.search.query`, the rows to rank are chosen by
:mod:`paperfeed.search.pruning`, and the database's backend
(:mod:`paperfeed.search.backends`: FTS5 / bm25 or tsvector / ts_rank) writes and
ranks the rows. Keyword rows are written in the transaction that writes the papers
(see ``apps.py``), so a paper is searchable by its words the moment it is stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection, transaction

from paperfeed.catalogue.models import Authorship, Paper
from paperfeed.catalogue.version import database_key
from paperfeed.search import pruning
from paperfeed.search.backends import backend
from paperfeed.search.backends.base import FILTERED_WALK, Document, Ranked
from paperfeed.search.filters import Filters
from paperfeed.search.query import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    STOPWORDS,
    ParsedQuery,
    clean_query,
    parse_query,
)
from paperfeed.sources.records import PaperRecord

__all__ = [
    "FILTERED_WALK",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "STOPWORDS",
    "ParsedQuery",
    "clean_query",
    "keyword_search",
    "lookup_id",
    "parse_query",
]


def lookup_id(arxiv_id: str, filters: Filters | None = None) -> Ranked:
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
) -> Ranked:
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
    search_backend = backend()
    ranker = search_backend.ranker(parsed, filters)
    scope = database_key()
    # Rounded up: 0 stays "off".
    budget = -(-pruning.row_budget() // search_backend.row_cost)
    chosen = pruning.plan(ranker.terms, ranker.count, budget, scope, ranker.postings_per_row)
    ranker.scored = chosen.scored
    if chosen.kind == pruning.FULL:
        return ranker.rank(ranker.any_of(chosen.scored), limit, offset)
    want = offset + limit
    found: Ranked = []
    if chosen.kind == pruning.SPLIT:
        found = ranker.rank(ranker.any_of(chosen.rare), want, 0)
        if chosen.common and not ranker.scores_every_term:
            both = ranker.rank(ranker.both(chosen.rare, chosen.common), want, 0)
            found = pruning.merge(both, found, want)
    if len(found) < want:  # NEWEST, or a short page: the newest papers with a word
        newest = ranker.rank(ranker.any_of(chosen.scored), want, 0, newest=chosen.window)
        found = pruning.merge(found, newest, want)
    return found[offset:]


# --------------------------------------------------------------------------- indexing


def record_document(pk: int, record: PaperRecord) -> Document:
    """A paper's keyword document from its merged record (what ingest just stored)."""
    return (
        pk,
        record.title or "",
        record.abstract or "",
        "; ".join(a.name for a in record.authors if a.name),
        tuple(record.categories),
    )


def _documents(paper_ids: Sequence[int]) -> list[Document]:
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
    categories: dict[int, list[str]] = defaultdict(list)
    for pk, code in Paper.categories.through.objects.filter(paper_id__in=list(papers)).values_list(
        "paper_id", "category_id"
    ):
        categories[pk].append(code)
    return [
        (pk, title or "", abstract or "", "; ".join(authors[pk]), tuple(sorted(categories[pk])))
        for pk, (title, abstract) in papers.items()
    ]


def on_papers_written(sender, records=(), **kwargs) -> None:
    """``papers_written`` receiver: the batch's keyword rows, in its transaction, so a
    paper is searchable by its words the moment the import commits."""
    write_documents([record_document(pk, record) for pk, record in records])


def write_documents(docs: Sequence[Document], chunk: int = 500) -> int:
    """(Re)write the keyword rows of these documents, in the caller's transaction."""
    search_backend = backend()
    for start in range(0, len(docs), chunk):
        part = docs[start : start + chunk]
        search_backend.write_keyword_rows([d[0] for d in part], part)
    return len(docs)


def index_keyword(paper_ids: Iterable[int], chunk: int = 500) -> int:
    """(Re)write the keyword index rows of these papers from the database; gone
    papers lose theirs."""
    ids = sorted(set(paper_ids))
    search_backend = backend()
    written = 0
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        docs = _documents(part)
        with transaction.atomic():
            search_backend.write_keyword_rows(part, docs)
        written += len(docs)
    return written


def optimize_keyword_index() -> None:
    """Compact the keyword index after a full rebuild (FTS5: one segment)."""
    backend().optimize_keyword_rows()


def clear_keyword_index() -> None:
    backend().clear_keyword_rows()


def keyword_table() -> tuple[str, str]:
    """The keyword index's table and its paper-id column on this database."""
    search_backend = backend()
    return search_backend.keyword_table, search_backend.keyword_key


def keyword_row_count() -> int:
    """Papers with a keyword row."""
    return backend().keyword_row_count()


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
