"""Is this process ready for traffic? The database answers, every migration this code
knows is applied; and how the task queue stands (reported, never a reason for 503:
a backlog is for workers to drain, not for the load balancer to route around)."""

from __future__ import annotations

import logging
from functools import cache

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from paperfeed.service.queue import queue_state

log = logging.getLogger("paperfeed.monitoring")


@cache
def known_migrations() -> frozenset[tuple[str, str]]:
    """The migrations this code ships (read from disk once per process)."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    return frozenset(loader.graph.nodes)


def readiness() -> tuple[bool, dict]:
    """(ready, report). The report names no host, user or error text (it is public to
    whoever can reach the port); errors go to the log."""
    report: dict = {"database": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        log.warning("readyz: database unreachable: %s", exc)
        connection.close_if_unusable_or_obsolete()
        report["database"] = f"unreachable ({type(exc).__name__})"
        return False, report
    try:
        applied = MigrationRecorder(connection).applied_migrations()
        pending = sorted(f"{app}.{name}" for app, name in known_migrations() - set(applied))
        report["migrations"] = "applied" if not pending else {"pending": pending}
        report["tasks"] = queue_state().as_dict()
    except Exception as exc:
        log.warning("readyz: reading the database failed: %s", exc)
        report["database"] = f"failing ({type(exc).__name__})"
        return False, report
    return not pending, report
