"""Which rows a keyword query ranks, and on which words: bounded, chosen by rarity.

What a ranked FTS5 query costs (measured at 74,728 and at 1,000,000 papers):

* bm25 first reads, for its idf, the whole document list of every phrase in the
  expression: about 60 ns per posting, so 28 ms for "languages" (441,329 papers)
  at a million, on every query;
* then a few microseconds for each row the expression matches.

An OR of everyday research words ("learning", "model", "languages") pays both in
full: 60-170 ms a query at 74,728 papers, far more at a million. Yet such words say
little about which paper is meant: a word in half the papers has an idf of zero.
So each query word gets its document count (read capped, kept per process for
``COUNT_TTL`` seconds; counts steer the plan, never a score), and, rarest first:

* the **rare** words are those whose counts add up to at most
  ``PAPERFEED_KEYWORD_ROW_BUDGET`` rows (3,000);
* the **scored** words are those whose counts add up to at most
  ``POSTINGS_PER_ROW`` times that (90,000 postings, a few ms of idf reading);
  always at least the rarest word. The words beyond are left out of the ranking,
  as stopwords are. (On PostgreSQL every word is scored: ts_rank has no idf, so
  it reads no document lists, and counts stop at the row budget.)

Plans:

* Every word rare: the plain OR of all of them, as if nothing were pruned.
* Some rare (``SPLIT``): only papers holding a rare word are ranked, from two reads
  of at most the budget each:

  - ``(rare OR ...) AND (common OR ...)`` (common = scored but not rare): papers
    with a rare and a common word, at their exact score over the scored words, since
    every scored word they hold takes part in the match;
  - ``rare OR ...``: papers with a rare word scored on the rare words alone, which
    is exact for those without a common word (:func:`merge` keeps the higher).

* No word rare (``NEWEST``, e.g. "large language models"): the newest budget-many
  papers holding a scored word are ranked (FTS5 walks its rows newest first and
  stops there). Such a query matches a large part of the catalogue, and a feed
  reader asking it wants recent papers; the semantic half of a hybrid search still
  ranks the whole catalogue. (An AND of the common words was tried first: walking
  it cost 40-70 ms at a million papers when few papers held them all.)

A SPLIT that finds fewer papers than asked for is topped up the NEWEST way. With a
filter, a NEWEST read looks at the newest ``keyword.FILTERED_WALK`` windows of
matches, and ranks those passing the filter.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings

from paperfeed.memo import Lru

COUNT_TTL = 600.0
COUNT_CACHE_SIZE = 20_000
POSTINGS_PER_ROW = 30


def row_budget() -> int:
    """Rows a keyword search ranks (see the module); 0 turns pruning off."""
    return max(0, int(settings.PAPERFEED_KEYWORD_ROW_BUDGET))


FULL, SPLIT, NEWEST = "full", "split", "newest"


@dataclass(frozen=True)
class Plan:
    """``kind``: FULL, SPLIT or NEWEST (see the module). Term indexes: ``rare`` and
    ``common`` (scored, not rare) for a SPLIT, ``scored`` (all of them for FULL);
    ``window``: how many of the newest matches a NEWEST read ranks."""

    kind: str
    scored: tuple[int, ...] = ()
    rare: tuple[int, ...] = ()
    common: tuple[int, ...] = ()
    window: int = 0


# Capped document counts by (database, expression, cap), stamped with when read.
counts: Lru[tuple[str, str, int], float, int] = Lru(COUNT_CACHE_SIZE)


def _count(key: tuple[str, str, int], count: Callable[[], int]) -> int:
    now = time.monotonic()
    found = counts.get(key, lambda read_at: now - read_at < COUNT_TTL)
    if found is None:
        found = count()
        counts.put(key, now, found)
    return found


def plan(
    terms: Sequence[str],
    count: Callable[[str, int], int],
    budget: int,
    scope: str = "",
    postings_per_row: int | None = POSTINGS_PER_ROW,
) -> Plan:
    """Pick the rare and the scored terms. ``terms``: one match expression per query
    term; ``count(expr, cap)``: how many rows match ``expr``, counting at most
    ``cap``; ``scope``: which database (part of the count cache's key);
    ``postings_per_row``: None where ranking reads no document lists (PostgreSQL's
    ts_rank has no idf), so every term is scored and counts stop at the budget."""
    everything = Plan(FULL, scored=tuple(range(len(terms))))
    if budget <= 0 or not terms:
        return everything
    postings = budget * postings_per_row if postings_per_row else None
    cap = (postings or budget) + 1
    sizes = [_count((scope, term, cap), partial(count, term, cap)) for term in terms]
    order = sorted(range(len(terms)), key=lambda i: (sizes[i], i))
    rare = _prefix(order, sizes, budget, at_least_one=False)
    if len(rare) == len(terms):
        return everything
    scored = order if postings is None else _prefix(order, sizes, postings, at_least_one=True)
    if not rare:
        return Plan(NEWEST, scored=tuple(sorted(scored)), window=budget)
    common = tuple(sorted(set(scored) - set(rare)))
    return Plan(
        SPLIT, scored=tuple(sorted(scored)), rare=tuple(sorted(rare)), common=common, window=budget
    )


def _prefix(order: list[int], sizes: list[int], limit: int, at_least_one: bool) -> list[int]:
    """The first terms of ``order`` whose sizes add up to at most ``limit``."""
    taken: list[int] = []
    total = 0
    for i in order:
        if total + sizes[i] > limit and (taken or not at_least_one):
            break
        taken.append(i)
        total += sizes[i]
    return taken


def merge(
    first: Sequence[tuple[int, float]], second: Sequence[tuple[int, float]], want: int
) -> list[tuple[int, float]]:
    """The top ``want`` of two reads, each paper at its higher score.

    For a SPLIT: ``first`` holds the papers with a rare word and a common one at
    their exact score (every scored word they hold takes part in the match),
    ``second`` the papers with a rare word scored on the rare words alone: exact for
    those without a common word, too low for the others, which ``first`` holds
    exactly. Each read's top ``want`` suffices, so the result is exactly the top
    ``want`` of the scored words' OR ranking among the papers holding a rare word.
    """
    scores = dict(second)
    for pk, score in first:
        scores[pk] = max(score, scores.get(pk, score))
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:want]
