"""How a paper's byline and abstract are shortened, the same way on pages and in
emails (``web.display`` and ``digests.compose`` both use these)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def split_byline(authors: Sequence[T], limit: int) -> tuple[Sequence[T], int]:
    """(the authors to show, how many more): all of them when at most one would be
    left out (``et al.`` for a single name saves nothing), else the first ``limit``."""
    if len(authors) <= limit + 1:
        return authors, 0
    return authors[:limit], len(authors) - limit


def lede(text: str, length: int) -> str:
    """The first ``length`` characters of an abstract, cut at a word boundary."""
    text = text or ""
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"
