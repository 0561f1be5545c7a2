"""The ``paperfeed`` command: a thin front over Django's management commands.

``paperfeed fetch-new cs.LG`` runs the ``fetch_new`` management command. Pending
migrations are applied first, so a fresh install needs no separate set-up step.
"""

from __future__ import annotations

import os
import sys

# Commands that must not trigger the automatic migration.
_NO_AUTO_MIGRATE = {"migrate", "makemigrations", "help", "version", "check", "shell", "sqlmigrate"}


def migrate_if_needed() -> None:
    """Apply pending migrations quietly: the embedded default should just work."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
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
