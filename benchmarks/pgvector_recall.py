"""pgvector HNSW recall@k and latency for text queries, by ef_search, against exact search.

    python benchmarks/pgvector_recall.py --data-dir /tmp/pf-full --postgres /tmp/pf-pg-bench

Uses the PostgreSQL server and catalogue that ``search_latency.py --postgres DIR``
set up (run that first). Queries as in search_latency.py (paper titles, phrases cut
from titles, SciFact claims), embedded by paperfeed; the truth is numpy over every
stored vector. Goes through ``vectors.vector_search`` (the pgvector path, with
iterative scans), as searches do. Prints figures only.
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
    from search_latency import load, make_queries, percentiles  # this folder is on sys.path

    from paperfeed.search import vectors
    from paperfeed.search.backends.postgres import pg_ef_search
    from paperfeed.search.hybrid import embed_query

    if not vectors.use_pgvector():
        raise SystemExit("PAPERFEED_PGVECTOR=0: nothing to measure")
    ids, matrix = vectors.load_vectors()
    queries = [embed_query(text) for _, text, _ in make_queries(args.queries, 1)]
    print(f"{len(ids):,} vectors, {len(queries)} text queries; {load()}")
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


if __name__ == "__main__":
    main()
