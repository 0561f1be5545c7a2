"""A hybrid search outside a transaction runs its vector half on a connection of its
own, side by side with the keyword half; inside one, on the caller's connection
(another could not see the transaction's rows).

A transactional test: outside a transaction, as a web request runs.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connections, transaction

import paperfeed.search.hybrid as hybrid
from paperfeed.search.filters import Filters
from paperfeed.search.hybrid import search

QUERY = "graph neural networks for molecules"


def ranks(hits):
    return [(h.arxiv_id, h.keyword_rank, h.semantic_rank) for h in hits]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_vector_half_runs_apart(corpus, monkeypatch):
    seen: list[tuple[int, object]] = []
    real = hybrid._vector_search

    def watched(vector, filters, limit, offset=0):
        found = real(vector, filters, limit, offset)
        seen.append((threading.get_ident(), connections["default"]))  # this thread's
        return found

    monkeypatch.setattr(hybrid, "_vector_search", watched)
    here, mine = threading.get_ident(), connections["default"]
    kept = settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    halves = []
    for filters in (Filters(), Filters(("cs.LG",))):
        seen.clear()
        with transaction.atomic():
            inside = search(QUERY, mode="hybrid", filters=filters, limit=20)
        assert seen == [(here, mine)]
        seen.clear()
        apart = search(QUERY, mode="hybrid", filters=filters, limit=20)
        [(thread, wrapper)] = seen
        assert thread != here and wrapper is not mine
        # Kept for the next search as a request thread's (CONN_MAX_AGE), else closed.
        assert (wrapper.connection is not None) == kept
        halves.append((thread, wrapper))
        assert len(apart) == 20 and any(h.semantic_rank for h in apart)
        assert ranks(apart) == ranks(inside)

    assert halves[0] == halves[1]  # one pool thread, its connection used again
    hybrid.close_search_threads()  # each thread closes its connections as it ends
    assert halves[0][1].connection is None

    def broken(*args, **kwargs):
        raise RuntimeError("no vectors")

    monkeypatch.setattr(hybrid, "_vector_search", broken)
    hits = search(QUERY, mode="hybrid", limit=10)  # apart, failing: keywords alone
    assert hits and all(h.semantic_rank is None and h.keyword_rank for h in hits)
