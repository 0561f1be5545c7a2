"""Newest-first keyword reads on PostgreSQL at a million papers: a walk down the
primary key (or every match read), against reads by blocks of ids.

    python benchmarks/keyword_newest.py --postgres PGDIR [--papers 1000000] [--keep]

PGDIR: a server (``scripts/postgres.py``) whose catalogue has keyword rows, such as
the search benchmarks' copy of the corpus; a folder with no server yet gets one, into
which the 74,728 corpus listings are imported (keyword rows only: about 2.5 minutes,
no embedding). Its keyword rows are copied into a schema of their own,
``newest_bench``, repeated under new ids up to
``--papers`` rows (each copy keeps its words, so each word keeps its share, as
``search_latency.py --million`` grows the corpus), with each row's block lexeme, a GIN
index and statistics (a few minutes at a million; ``--keep`` keeps the schema for
another run). Then, for single words and phrases of every share, the newest
``--window`` matches (a NEWEST read's window on PostgreSQL: the row budget over
ts_rank's row cost) ranked as ``TsvectorRanker.rank`` ranks them, read two ways, each
five times, the median printed: the plain statement the planner plans as it likes
(what every NEWEST read did before blocks), and ``backends.postgres.newest_rows``, run
on the copy (``search_path``). Both must return the same papers; the script checks.

Prints figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdata import require_listings  # noqa: E402  (this folder is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = "newest_bench"
WORDS = [
    "learning", "generative", "language models", "vision", "transformer", "attention",
    "diffusion", "segmentation", "retrieval", "neural", "reinforcement learning", "medical",
    "robot", "speech", "privacy", "autonomous driving", "theorem", "federated",
    "graph neural network", "wireless", "quantum", "protein",
]  # fmt: skip


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def grow(cursor, papers: int, bits: int) -> None:  # type: ignore[no-untyped-def]
    cursor.execute("SELECT COUNT(*), MAX(paper_id) FROM public.search_paperfts")
    rows, top = cursor.fetchone()
    if not rows:
        raise SystemExit("the server's catalogue has no keyword rows: import papers first")
    copies = -(-papers // rows)
    print(f"copying {rows:,} keyword rows {copies} times ({load()})", flush=True)
    started = time.perf_counter()
    cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    cursor.execute(f"CREATE SCHEMA {SCHEMA}")
    cursor.execute(
        f"CREATE TABLE {SCHEMA}.search_paperfts (paper_id bigint PRIMARY KEY,"
        " document tsvector NOT NULL)"
    )
    cursor.execute("SET maintenance_work_mem = '1GB'")
    cursor.execute(
        f"INSERT INTO {SCHEMA}.search_paperfts SELECT k * %s + paper_id,"
        " ts_delete(document, ARRAY(SELECT u.lexeme FROM unnest(document) u"
        "  WHERE u.lexeme LIKE '@%%'))"
        " || array_to_tsvector(ARRAY['@' || ((k * %s + paper_id) >> %s)::text])"
        " FROM public.search_paperfts, generate_series(0, %s) k"
        " WHERE k * %s + paper_id <= %s ORDER BY 1",
        [top, top, bits, copies - 1, top, papers],
    )
    cursor.execute(
        f"CREATE INDEX newest_bench_document ON {SCHEMA}.search_paperfts USING gin (document)"
    )
    cursor.execute(f"ANALYZE {SCHEMA}.search_paperfts")
    print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="PGDIR", required=True)
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--window", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the copy")
    args = parser.parse_args()
    listings = None if Path(args.postgres, "PG_VERSION").exists() else require_listings()
    os.environ["DATABASE_URL"] = subprocess.run(
        [sys.executable, str(ROOT / "scripts/postgres.py"), "start", args.postgres],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if listings is not None:
        print(f"importing {listings.name} into a new server in {args.postgres}", flush=True)
        call_command("migrate", verbosity=0)
        call_command("import", str(listings), verbosity=0)

    from paperfeed.search.backends import postgres

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname = %s AND tablename = %s",
            [SCHEMA, "search_paperfts"],
        )
        if not (args.keep and cursor.fetchone()[0]):
            grow(cursor, args.papers, postgres.BLOCK_BITS)
        cursor.execute(f"SET search_path = {SCHEMA}, public")
        cursor.execute("SELECT COUNT(*), MAX(paper_id) FROM search_paperfts")
        rows, top = cursor.fetchone()
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
    print(f"{rows:,} keyword rows (ids to {top:,}), blocks of {1 << postgres.BLOCK_BITS:,} ids,"
          f" window {args.window}, shared_buffers {buffers}; {load()}")  # fmt: skip

    def plain(word: str) -> list[tuple[int, float]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH q AS (SELECT phraseto_tsquery('english', %s) AS q) SELECT paper_id, score"
                " FROM (SELECT d.paper_id, ts_rank(d.document, q.q) AS score"
                " FROM search_paperfts d CROSS JOIN q WHERE d.document @@ q.q"
                " ORDER BY d.paper_id DESC LIMIT %s) s ORDER BY score DESC, paper_id LIMIT 20",
                [word, args.window],
            )
            return [(pk, float(score)) for pk, score in cursor.fetchall()]

    def blocks(word: str) -> list[tuple[int, float]]:
        match = ("phraseto_tsquery('english', %s)", [word])
        found = postgres.newest_rows(match, args.window, score=match)
        found.sort(key=lambda row: (-row[1], row[0]))
        return [(pk, float(score)) for pk, score in found[:20]]

    def timed(read) -> tuple[float, list]:  # type: ignore[no-untyped-def]
        times, got = [], []
        for _ in range(5):
            started = time.perf_counter()
            got = read()
            times.append(1000 * (time.perf_counter() - started))
        return statistics.median(times), got

    print(f"{'query':<22} {'share':>6} {'plain ms':>9} {'blocks ms':>10}  same")
    totals = [[], []]
    for word in WORDS:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM search_paperfts"
                " WHERE document @@ phraseto_tsquery('english', %s)",
                [word],
            )
            share = cursor.fetchone()[0] / rows
        before, old = timed(lambda w=word: plain(w))
        after, new = timed(lambda w=word: blocks(w))
        totals[0].append(before)
        totals[1].append(after)
        same = [pk for pk, _ in old] == [pk for pk, _ in new]
        print(f"{word:<22} {share:>6.3f} {before:>9.1f} {after:>10.1f}  {'yes' if same else 'NO'}")
    for label, values in zip(("plain", "blocks"), totals, strict=True):
        ordered = sorted(values)
        print(f"{label}: median {statistics.median(values):.1f} ms, worst {ordered[-1]:.1f} ms,"
              f" sum {sum(values):.0f} ms over {len(values)} queries")  # fmt: skip
    print(f"({load()})")
    if not args.keep:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {SCHEMA} CASCADE")


if __name__ == "__main__":
    main()
