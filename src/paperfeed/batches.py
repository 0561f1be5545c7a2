"""Long lists cut into slices, for SQL ``IN (...)`` lists above all.

SQLite builds before 3.32 allow at most 999 parameters in one statement; a slice of
``IN_LIST`` ids leaves room for the few other parameters of the query, and keeps
each statement's parameter list short on PostgreSQL too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

IN_LIST = 900


def slices(items: Sequence[T], size: int = IN_LIST) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items (none for an empty sequence)."""
    if size < 1:
        raise ValueError(f"slice size must be at least 1, not {size}")
    for start in range(0, len(items), size):
        yield items[start : start + size]
