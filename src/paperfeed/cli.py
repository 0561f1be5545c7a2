"""The ``paperfeed`` command: a thin front over Django's management commands.

``paperfeed fetch-new cs.LG`` runs the ``fetch_new`` management command. Pending
migrations are applied first, so a fresh install needs no separate set-up step.
"""

from __future__ import annotations

import os
import sys

# Commands that must not trigger the automatic migration.
_NO_AUTO_MIGRATE = {"migrate", "makemigrations", "help", "version", "check", "shell", "sqlmigrate"}


def _pending() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def migrate_if_needed() -> None:
    """Apply pending migrations quietly: the embedded default should just work.

    Two commands started together on a fresh data directory (``serve`` in one terminal,
    ``import`` in the next) would both migrate and one would fail on a table the other
    had just made: the migration runs under an exclusive lock on a file in the data
    directory, and the plan is read again once the lock is held."""
    import fcntl

    from django.conf import settings
    from django.core.management import call_command

    if not _pending():
        return
    with open(settings.DATA_DIR / "migrate.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _pending():
            call_command("migrate", interactive=False, verbosity=0)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django
    from django.core.management import execute_from_command_line

    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    django.setup()
    if len(argv) > 1 and argv[1] not in _NO_AUTO_MIGRATE and not argv[1].startswith("-"):
        migrate_if_needed()
    argv[0] = "paperfeed"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
