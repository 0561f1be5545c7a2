"""pgvector HNSW recall@k and latency for text queries, by ef_search, against exact search.

    python benchmarks/pgvector_recall.py --data-dir /tmp/pf-full --postgres /tmp/pf-pg-bench

Uses the PostgreSQL server and catalogue that ``search_latency.py --postgres DIR``
set up (run that first). Queries as in search_latency.py (paper titles, phrases cut
from titles, SciFact claims), embedded by paperfeed; the truth is numpy over every
stored vector. Goes through ``vectors.vector_search`` (the pgvector path, with
iterative scans), as searches do. Prints figures only.

    python benchmarks/pgvector_recall.py --data-dir DIR --postgres PGDIR --build 32,128 --filtered

``--build M,EF_CONSTRUCTION`` drops the HNSW index and builds it again with those
parameters first (timed, its size printed; paperfeed leaves an existing index as it
is, so the server keeps it). ``--filtered`` also measures each query with the primary
category of a random paper as its filter, against exact search within that category
(filters of at most ``vectors.filter_exact_size`` papers are scored exactly, the
others go through the index with iterative scans).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from benchdata import require_data_dir  # this folder is on sys.path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="the data dir (for the model)")
    parser.add_argument("--postgres", required=True, metavar="DIR", help="the server's folder")
    parser.add_argument("--queries", type=int, default=150)
    parser.add_argument("--ef", default="40,200,400,1000")
    parser.add_argument("--build", metavar="M,EF_CONSTRUCTION", help="rebuild the index first")
    parser.add_argument("--filtered", action="store_true", help="also with a category filter")
    args = parser.parse_args()
    require_data_dir(args.data_dir, "the catalogue with every paper embedded (and the model)")
    started = subprocess.run(
        [sys.executable, str(HERE.parent / "scripts" / "postgres.py"), "start", args.postgres],
        check=True,
        capture_output=True,
        text=True,
    )
    os.environ["DATABASE_URL"] = started.stdout.strip()
    os.environ["PAPERFEED_DATA_DIR"] = str(Path(args.data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    import numpy as np
    from search_latency import COPY_BASE, load, make_queries, percentiles  # on sys.path

    from paperfeed.catalogue.models import Paper
    from paperfeed.search import vectors
    from paperfeed.search.backends.postgres import pg_ef_search
    from paperfeed.search.filters import Filters
    from paperfeed.search.hybrid import embed_query

    if not vectors.use_pgvector():
        raise SystemExit("PAPERFEED_PGVECTOR=0: nothing to measure")
    if args.build:
        rebuild(*(int(x) for x in args.build.split(",")))
    started = time.perf_counter()
    ids, matrix = vectors.load_vectors()
    print(f"{len(ids):,} vectors read for exact search in {time.perf_counter() - started:.0f} s")
    real = Paper.objects.filter(id__lt=COPY_BASE)  # of a grown copy: the real papers
    asked = make_queries(args.queries, 1, real)
    queries = [embed_query(text) for _, text, _ in asked]
    print(f"{len(queries)} text queries; {load()}")
    members: dict[str, np.ndarray] = {}
    for _, _, code in asked if args.filtered else []:
        if code not in members:
            members[code] = np.isin(ids, Filters((code,)).paper_ids().array)
    if members:
        exact_size = vectors.database_exact_size(len(ids))
        small = sum(1 for *_, code in asked if members[code].sum() <= exact_size)
        print(
            f"filters: {len(members)} categories, {min(m.sum() for m in members.values()):,}"
            f" to {max(m.sum() for m in members.values()):,} papers; {small} of {len(asked)}"
            f" at most {exact_size:,} papers (scored exactly)"
        )
    for ef in [int(e) for e in args.ef.split(",")]:
        for k in (10, 100):
            recalls, laps = [], []
            for query in queries:
                began = time.perf_counter()
                found = vectors.vector_search(query, limit=k, ef=ef)
                laps.append(1000 * (time.perf_counter() - began))
                truth = set(ids[np.argsort(-(matrix @ query))[:k]].tolist())
                recalls.append(len(truth & {pk for pk, _ in found}) / k)
            used = pg_ef_search(k, ef)
            recall = np.mean(recalls)
            print(f"  ef_search {used:4}  recall@{k:<3} {recall:.3f}  {percentiles(laps)}")
        if members:
            recalls, laps = [], []
            for query, (_, _, code) in zip(queries, asked, strict=True):
                began = time.perf_counter()
                found = vectors.vector_search(query, limit=10, ef=ef, filters=Filters((code,)))
                laps.append(1000 * (time.perf_counter() - began))
                inside = np.flatnonzero(members[code])
                top = inside[np.argsort(-(matrix[inside] @ query))[:10]]
                recalls.append(len(set(ids[top].tolist()) & {pk for pk, _ in found}) / 10)
            used = pg_ef_search(10, ef)
            recall = np.mean(recalls)
            print(f"  ef_search {used:4}  recall@10  {recall:.3f}  filtered  {percentiles(laps)}")


def rebuild(m: int, ef_construction: int) -> None:
    """Drop the HNSW index and build it with these parameters (all cores the server
    may use, the maintenance memory the copy used)."""
    from django.db import connection
    from search_latency import load

    from paperfeed.search.backends.postgres import EMBEDDING_TABLE, HNSW_INDEX

    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {HNSW_INDEX}")
        cursor.execute("SET maintenance_work_mem = '3GB'")
        began = time.perf_counter()
        cursor.execute(
            f"CREATE INDEX {HNSW_INDEX} ON {EMBEDDING_TABLE} USING hnsw"
            f" (pgvector vector_cosine_ops) WITH (m = {m}, ef_construction = {ef_construction})"
        )
        took = time.perf_counter() - began
        cursor.execute("SELECT pg_relation_size(%s)", [HNSW_INDEX])
        size = cursor.fetchone()[0]
    print(
        f"HNSW m {m}, ef_construction {ef_construction}: built in {took / 60:.1f} min,"
        f" {size / 2**30:.2f} GiB; {load()}",
        flush=True,
    )


if __name__ == "__main__":
    main()
