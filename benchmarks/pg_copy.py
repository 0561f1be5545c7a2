"""Copy an indexed SQLite catalogue into PostgreSQL, for benchmarks on PostgreSQL
without embedding the corpus again (41 minutes at 74,728 papers).

    DATABASE_URL=postgres://... python benchmarks/pg_copy.py --data-dir /tmp/pf-full

Copies categories, authors, papers, their categories and bylines and the stored
vectors (filling the pgvector column from the float32 bytes) with COPY, into a
database migrated by paperfeed, then writes the PostgreSQL keyword rows
(``keyword.index_keyword``) and creates the HNSW index
(``vectors.complete_pgvector``), as ``paperfeed reindex --missing`` would.
Refuses a database that already holds papers. ``search_latency.py --postgres``
calls :func:`copy_catalogue`.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

from benchdata import require  # this folder is on sys.path

# (table, columns): every column of each table, in a dependency order.
TABLES = [
    "catalogue_category",
    "catalogue_author",
    "catalogue_paper",
    "catalogue_paper_categories",
    "catalogue_authorship",
    "search_paperembedding",
]


def _columns(table: str) -> list[str]:
    from django.apps import apps

    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table == table:
            return [f.column for f in model._meta.concrete_fields]
    raise LookupError(table)


def copy_catalogue(sqlite_path: Path, say=print) -> None:  # type: ignore[no-untyped-def]
    """Copy into the (migrated, empty) PostgreSQL database Django is connected to."""
    from django.db import connection

    from paperfeed.catalogue.models import Paper
    from paperfeed.search import keyword, vectors
    from paperfeed.search.backends.postgres import pgvector_literal

    if Paper.objects.exists():
        raise SystemExit("the PostgreSQL database already holds papers")
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    with connection.cursor() as cursor:
        cursor.execute("SET timezone = 'UTC'")
        cursor.execute("DROP INDEX IF EXISTS search_embedding_hnsw")  # built once, after
    raw = connection.connection  # psycopg 3
    for table in TABLES:
        started = time.monotonic()
        columns = _columns(table)
        wanted = [c for c in columns if c != "pgvector"]
        rows = source.execute(f"SELECT {', '.join(wanted)} FROM {table}")
        vector_at = wanted.index("vector") if table == "search_paperembedding" else None
        copied = 0
        with raw.cursor() as cursor:
            names = ", ".join(wanted + (["pgvector"] if vector_at is not None else []))
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    row = list(row)
                    if vector_at is not None:
                        row.append(pgvector_literal(vectors.from_bytes(row[vector_at])))
                    copy.write_row(row)
                    copied += 1
        raw.commit()
        say(f"  {table}: {copied:,} rows in {time.monotonic() - started:.1f}s")
    with connection.cursor() as cursor:
        for table in TABLES:
            if "id" in _columns(table):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
    started = time.monotonic()
    ids = list(Paper.objects.order_by("id").values_list("id", flat=True))
    keyword.index_keyword(ids, chunk=2000)
    say(f"  keyword rows: {len(ids):,} in {time.monotonic() - started:.1f}s")
    started = time.monotonic()
    with connection.cursor() as cursor:  # pgvector builds fast while the graph fits
        cursor.execute("SET maintenance_work_mem = '3GB'")
    vectors.complete_pgvector()
    say(f"  HNSW index built in {time.monotonic() - started:.1f}s")
    with connection.cursor() as cursor:
        for table in [*TABLES, "search_paperfts"]:
            cursor.execute(f"ANALYZE {table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="the SQLite data dir to copy")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to the PostgreSQL database to fill")
    source = Path(args.data_dir) / "paperfeed.sqlite3"
    require(source, "the SQLite catalogue (with its vectors) to copy into PostgreSQL")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    copy_catalogue(source)


if __name__ == "__main__":
    sys.exit(main())
