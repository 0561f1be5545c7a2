"""Recall of the hnswlib index against exact search, on the real stored embeddings.

    python benchmarks/ann_recall.py --data-dir /tmp/pf-scifact [--queries 1000]

Reads every vector of the current model from the data directory's database, builds
an index with paperfeed's parameters (M, ef_construction), and for a sample of the
stored vectors compares the ANN top 10 (the vector itself excluded) with the exact
top 10 at several ef values.
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    os.environ["PAPERFEED_DATA_DIR"] = args.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    import numpy as np

    from paperfeed.search.vectors import (
        HNSW_EF_CONSTRUCTION,
        HNSW_M,
        add_vectors,
        load_vectors,
        new_index,
    )

    ids, matrix = load_vectors()
    n = len(ids)
    print(f"{n} stored vectors; hnswlib M={HNSW_M} ef_construction={HNSW_EF_CONSTRUCTION}")
    started = time.monotonic()
    index = new_index(n)
    add_vectors(index, np.arange(n), matrix)
    print(f"built in {time.monotonic() - started:.1f}s")
    rng = np.random.default_rng(0)
    sample = rng.choice(n, size=min(args.queries, n), replace=False)
    exact = []
    started = time.monotonic()
    for i in sample:
        scores = matrix @ matrix[i]
        scores[i] = -np.inf
        exact.append(set(np.argpartition(-scores, 10)[:10].tolist()))
    exact_ms = 1000 * (time.monotonic() - started) / len(sample)
    print(f"exact numpy: {exact_ms:.2f} ms a query")
    for ef in (16, 32, 64, 100, 200):
        index.set_ef(ef)
        started = time.monotonic()
        labels, _ = index.knn_query(matrix[sample], k=11, num_threads=1)
        ms = 1000 * (time.monotonic() - started) / len(sample)
        hits = 0
        for j, (row, i) in enumerate(zip(labels, sample, strict=True)):
            got = [x for x in row.tolist() if x != i][:10]
            hits += len(set(got) & exact[j])
        print(f"ef {ef:4d}: recall@10 {hits / (10 * len(sample)):.4f}, {ms:.3f} ms a query")


if __name__ == "__main__":
    main()
