"""Search filters, applied inside each ranking (never by trimming a ranked list)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection

from paperfeed.catalogue.models import Paper
from paperfeed.catalogue.version import database_key, recent_catalogue_version
from paperfeed.memo import Lru
from paperfeed.sources.records import CATEGORY_RE


def codes_and_archives(codes: Iterable[str]) -> list[str]:
    """A paper's categories as a filter sees them: each code, and the archive before
    its dot (``cs.CL`` and ``cs``), once each, in code-point order. Derived rows
    (PostgreSQL's keyword lexemes, embedding rows) hold this list so a filter is
    matched on the row itself."""
    found: set[str] = set()
    for code in codes:
        code = code.strip()
        if code:
            found.update((code, code.split(".")[0]))
    return sorted(found)


@dataclass(frozen=True)
class Filters:
    """``categories``: codes such as ``cs.CL`` (any listed category of the paper
    matches), or an archive such as ``cs`` for all its categories. Dates bound the
    announcement (listing) date, both ends inclusive."""

    categories: tuple[str, ...] = field(default_factory=tuple)
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.categories, str):
            object.__setattr__(self, "categories", (self.categories,))
        cleaned = tuple(c.strip() for c in self.categories if c and c.strip())
        object.__setattr__(self, "categories", cleaned)

    @property
    def empty(self) -> bool:
        return not self.categories and self.date_from is None and self.date_to is None

    def _category_condition(self, alias: str) -> tuple[str, list[Any]]:
        """``alias``: the paper-category table (``paper_id``, ``category_id``)."""
        exact = [c for c in self.categories if "." in c]
        archives = [c for c in self.categories if "." not in c]
        ors: list[str] = []
        params: list[Any] = []
        if exact:
            ors.append(f"{alias}.category_id IN ({', '.join(['%s'] * len(exact))})")
            params.extend(exact)
        for archive in archives:
            ors.append(f"({alias}.category_id = %s OR {alias}.category_id LIKE %s)")
            params.extend([archive, archive.replace("%", "").replace("_", "") + ".%"])
        return f"({' OR '.join(ors)})", params

    def _date_conditions(self, paper_alias: str) -> tuple[list[str], list[Any]]:
        parts: list[str] = []
        params: list[Any] = []
        if self.date_from is not None:
            parts.append(f"{paper_alias}.announced >= %s")
            params.append(self.date_from)
        if self.date_to is not None:
            parts.append(f"{paper_alias}.announced <= %s")
            params.append(self.date_to)
        return parts, params

    def sql(self, paper_alias: str) -> tuple[str, list[Any]]:
        """A condition (starting with `` AND``) on the catalogue paper table."""
        parts, params = self._date_conditions(paper_alias)
        if self.categories:
            through = Paper.categories.through._meta.db_table
            condition, more = self._category_condition("pc")
            parts.append(
                f"EXISTS (SELECT 1 FROM {through} pc WHERE pc.paper_id = {paper_alias}.id"
                f" AND {condition})"
            )
            params.extend(more)
        return ("".join(f" AND {p}" for p in parts), params)

    def embedding_sql(self, embedding_alias: str, paper_alias: str) -> tuple[str, str, list[Any]]:
        """``(join, condition, params)`` for a read of embedding rows: categories are
        tested on the row's own list (``PaperEmbedding.categories``), one code written
        exactly as a partial index's predicate is (:func:`category_predicate`) so the
        planner can use that index; the paper table is joined for dates only."""
        parts, params = self._date_conditions(paper_alias)
        if self.categories:
            tests = [category_predicate(code, embedding_alias) for code in self.categories]
            parts.append(tests[0] if len(tests) == 1 else f"({' OR '.join(tests)})")
        table = Paper._meta.db_table
        join = f" JOIN {table} {paper_alias} ON {paper_alias}.id = {embedding_alias}.paper_id"
        dated = self.date_from is not None or self.date_to is not None
        return (join if dated else "", "".join(f" AND {p}" for p in parts), params)

    def paper_ids(self) -> PaperIds:
        """All papers passing the filters (vector search keeps to them), remembered
        per process until the catalogue changes: a big category's list took 10 ms at
        74,728 papers and a second at a million."""
        return _cached_paper_ids(self)

    def count_up_to(self, cap: int) -> int:
        """How many papers pass, counting at most ``cap``: enough to choose a search
        path without reading a big category's whole list (half a million ids at a
        million papers). Remembered per process until the catalogue changes."""
        return _count_cache.current(
            (database_key(), self, cap), recent_catalogue_version(), lambda: self._count(cap)
        )

    def _count(self, cap: int) -> int:
        sql, params = self._select_ids()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT %s) f", [*params, cap])
            return int(cursor.fetchone()[0])

    def read_paper_ids(self) -> np.ndarray:
        """The ids from the database, sorted."""
        sql, params = self._select_ids()
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} ORDER BY 1", params)
            return np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)

    def _select_ids(self) -> tuple[str, list[Any]]:
        """SQL selecting the ids once each, unordered: from the paper-category index
        alone when only categories filter."""
        table = Paper._meta.db_table
        if self.categories:
            through = Paper.categories.through._meta.db_table
            condition, params = self._category_condition("pc")
            dates, more = self._date_conditions("p")
            join = f" JOIN {table} p ON p.id = pc.paper_id" if dates else ""
            # A paper has each category once: one exact code needs no DISTINCT, which
            # would read the whole list before a LIMIT could stop it.
            one = len(self.categories) == 1 and "." in self.categories[0]
            sql = (
                f"SELECT {'' if one else 'DISTINCT '}pc.paper_id FROM {through} pc{join}"
                f" WHERE {condition}" + "".join(f" AND {d}" for d in dates)
            )
            params.extend(more)
        else:
            where, params = self.sql("p")
            sql = f"SELECT p.id FROM {table} p WHERE 1=1{where}"
        return sql, params


def category_predicate(code: str, embedding_alias: str = "") -> str:
    """PostgreSQL: the test that an embedding row's paper is in ``code`` (a category or
    an archive), the code written into the SQL. A partial index is used only by a query
    whose condition matches its predicate, constant included, so the index and the
    query both take their text from here. Only a code a catalogue can hold
    (``CATEGORY_RE``: letters, dots, dashes) is written; any other matches nothing."""
    column = f"{embedding_alias}.categories" if embedding_alias else "categories"
    if not CATEGORY_RE.match(code):
        return "FALSE"
    return f"{column} @> '{json.dumps([code])}'::jsonb"


@dataclass(frozen=True, eq=False)
class PaperIds:
    """A filter's papers as a sorted array (for numpy) and a set (for hnswlib's filter)."""

    array: np.ndarray
    members: frozenset[int]

    def __len__(self) -> int:
        return len(self.array)


# The last few filters' paper ids, by database, stamped with the catalogue version.
_paper_id_cache: Lru[tuple[str, Filters], str, PaperIds] = Lru(32)


# Bounded counts of the last filters, by database, stamped with the catalogue version.
_count_cache: Lru[tuple[str, Filters, int], str, int] = Lru(256)


def _cached_paper_ids(filters: Filters) -> PaperIds:
    def read() -> PaperIds:
        array = filters.read_paper_ids()
        return PaperIds(array, frozenset(array.tolist()))

    return _paper_id_cache.current((database_key(), filters), recent_catalogue_version(), read)
