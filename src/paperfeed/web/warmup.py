"""A web process's first-request work, done before it serves.

A fresh process would otherwise make its first readers wait for what every process
does once: compiling the templates, loading the embedding model for searches, starting
the thread a hybrid search runs its vector half on (with that thread's database
connection), and reading the catalogue aggregates the pages share (the days and their
counts, the categories). Through a real server on PostgreSQL (74,728 papers), a web
process's first search took 135-155 ms after the other steps and 87-103 ms after the
search step too; the steady state is 55-65 ms. A restarted web process behind a load
balancer gets its share of traffic as soon as it listens, so it should listen warm.
Nothing here writes; a failure (the database down at start) is logged and the process
serves anyway, as ``/readyz`` reports what is wrong.
"""

from __future__ import annotations

import logging
import time

from django.template.loader import get_template
from django.urls import get_resolver

from paperfeed.catalogue.days import days_with_counts
from paperfeed.search.hybrid import embed_query
from paperfeed.search.hybrid import search as hybrid_search
from paperfeed.web import queries
from paperfeed.web.jinja import environment

log = logging.getLogger("paperfeed.web")

TEMPLATES = ("web/feed.html", "web/paper.html", "web/trending.html", "web/search.html")
JINJA_TEMPLATES = ("card.jinja", "row.jinja", "vote.jinja")


def warm() -> float:
    """Do the first-request work now; returns the seconds it took."""
    started = time.perf_counter()
    steps = {
        "urls": lambda: get_resolver().url_patterns,
        "templates": lambda: [get_template(name) for name in TEMPLATES],
        "jinja templates": lambda: [environment().get_template(n) for n in JINJA_TEMPLATES],
        "days": days_with_counts,
        "categories": lambda: (queries.category_counts(), queries.category_names()),
        "embedding model": lambda: embed_query("paperfeed"),
        "search": lambda: hybrid_search("paperfeed"),
    }
    for name, step in steps.items():
        try:
            step()
        except Exception:  # serve anyway: /readyz says what is wrong
            log.warning("warm-up: %s failed", name, exc_info=True)
    seconds = time.perf_counter() - started
    log.info("web process warmed up in %.2fs", seconds)
    return seconds
