"""Which rows a keyword query ranks: a bounded number, chosen by word rarity.

FTS5's bm25 (and PostgreSQL's ts_rank) costs a couple of microseconds for every
row the match expression returns, and an OR of everyday research words
("learning", "model", "network") returns most of the catalogue: 60-170 ms a query
at 74,728 papers, seconds at a million, against a few ms to merely count those
rows. A reader never pages that deep, and a paper that shares only common words
with the query does not reach the first hundred results anyway.

So the query's words are split (the max-score idea of search engines): the
**rare** ones, rarest first, whose document counts add up to at most
``PAPERFEED_KEYWORD_ROW_BUDGET`` rows, and the **common** rest.

* Every word rare: the plain OR of all of them, as if nothing were pruned.
* Some rare, some common (``SPLIT``): only papers holding a rare word are ranked,
  from two reads of at most the budget each:

  - ``(rare OR ...) AND (common OR ...)``: papers with a rare and a common word,
    with their exact OR score, since every word they hold takes part in the match;
  - ``rare OR ...``: papers with a rare word, scored on the rare words alone, which
    is exact for those without a common word (:func:`merge` keeps the higher).

  The result is the OR ranking minus the papers holding nothing but common words.
* No word rare (``EVERY``, e.g. "large language models"): the papers holding every
  word, of which the newest budget-many are ranked. Such a query matches a large
  part of the catalogue, and a feed reader asking it wants this year's papers;
  the semantic half of a hybrid search still ranks the whole catalogue.

A plan that finds fewer papers than asked for is topped up with the newest
budget-many papers holding any of the words.

Document counts are read capped at the budget (counting stops there) and kept per
process for ``COUNT_TTL`` seconds: they only steer the plan, never a score.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from paperfeed.memo import Lru

COUNT_TTL = 600.0
COUNT_CACHE_SIZE = 20_000


def row_budget() -> int:
    """Rows the rare-word OR may match; 0 turns pruning off (always the full OR)."""
    return max(0, int(os.environ.get("PAPERFEED_KEYWORD_ROW_BUDGET", "3000")))


FULL, SPLIT, EVERY = "full", "split", "every"


@dataclass(frozen=True)
class Plan:
    """``kind``: FULL, SPLIT or EVERY (see the module); ``rare`` and ``common``: the
    query's term indexes on each side of a SPLIT; ``window``: how many of the newest
    matches an EVERY plan ranks."""

    kind: str
    rare: tuple[int, ...] = ()
    common: tuple[int, ...] = ()
    window: int = 0


# Capped document counts by (database, expression, cap), stamped with when read.
counts: Lru[tuple[str, str, int], int] = Lru(COUNT_CACHE_SIZE)


def _count(key: tuple[str, str, int], count: Callable[[], int]) -> int:
    now = time.monotonic()
    found = counts.get(key, lambda read_at: now - read_at < COUNT_TTL)  # type: ignore[operator]
    if found is None:
        found = count()
        counts.put(key, now, found)
    return found


def plan(
    terms: Sequence[str], count: Callable[[str, int], int], budget: int, scope: str = ""
) -> Plan:
    """Pick the rare terms. ``terms``: one match expression per query term;
    ``count(expr, cap)``: how many rows match ``expr``, counting at most ``cap``;
    ``scope``: which database (part of the count cache's key)."""
    if budget <= 0 or not terms:
        return Plan(FULL)
    cap = budget + 1
    sizes = [_count((scope, term, cap), lambda t=term: count(t, cap)) for term in terms]
    rare: list[int] = []
    total = 0
    for i in sorted(range(len(terms)), key=lambda i: (sizes[i], i)):
        if total + sizes[i] > budget:
            break
        rare.append(i)
        total += sizes[i]
    if len(rare) == len(terms):
        return Plan(FULL)
    if not rare:
        return Plan(EVERY, window=budget)
    common = tuple(i for i in range(len(terms)) if i not in rare)
    return Plan(SPLIT, rare=tuple(sorted(rare)), common=common)


def merge(
    first: Sequence[tuple[int, float]], second: Sequence[tuple[int, float]], want: int
) -> list[tuple[int, float]]:
    """The top ``want`` of two reads, each paper at its higher score.

    For a SPLIT: ``first`` holds the papers with a rare word and a common one at
    their exact OR score (every word they hold takes part in the match), ``second``
    the papers with a rare word scored on the rare words alone: exact for those
    without a common word, too low for the others, which ``first`` holds exactly.
    Each read's top ``want`` suffices, so the result is exactly the OR ranking's top
    ``want`` among the papers holding at least one rare word.
    """
    scores = dict(second)
    for pk, score in first:
        scores[pk] = max(score, scores.get(pk, score))
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:want]
