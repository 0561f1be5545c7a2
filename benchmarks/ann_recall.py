"""Recall of the hnswlib index against exact search, on the real stored embeddings.

    python benchmarks/ann_recall.py --data-dir /tmp/pf-full [--queries 1000] [--text-queries 300]

Reads every vector of the current model from the data directory's database, builds
an index with paperfeed's parameters (M, ef_construction), and compares the ANN top
10 with the exact top 10 at several ef values, for two kinds of query: a sample of
the stored vectors (the vector itself excluded; what "similar papers" asks) and
realistic text queries embedded by paperfeed (titles, phrases cut from titles and
SciFact claims, as in search_latency.py; what a search asks). Text queries lie
farther from the papers, among many near-ties, and need a much wider beam.
"""

from __future__ import annotations

import argparse
import os
import time

from benchdata import require_data_dir  # this folder is on sys.path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--queries", type=int, default=1000, help="stored vectors as queries")
    parser.add_argument("--text-queries", type=int, default=300)
    args = parser.parse_args()
    require_data_dir(args.data_dir, "the catalogue with every paper embedded")
    os.environ["PAPERFEED_DATA_DIR"] = args.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    import numpy as np
    from search_latency import make_queries  # this folder is on sys.path

    from paperfeed.search.embeddings import get_embedder
    from paperfeed.search.vectors import (
        HNSW_EF_CONSTRUCTION,
        HNSW_EF_SEARCH,
        HNSW_EF_SIMILAR,
        HNSW_M,
        add_vectors,
        load_vectors,
        new_index,
    )

    ids, matrix = load_vectors()
    n = len(ids)
    print(f"{n} stored vectors; hnswlib M={HNSW_M} ef_construction={HNSW_EF_CONSTRUCTION}")
    print(f"paperfeed searches at ef {HNSW_EF_SEARCH}, similar papers at ef {HNSW_EF_SIMILAR}")
    started = time.monotonic()
    index = new_index(n)
    add_vectors(index, np.arange(n), matrix)
    print(f"built in {time.monotonic() - started:.1f}s; load average {os.getloadavg()[0]:.2f}")
    rng = np.random.default_rng(0)
    sample = rng.choice(n, size=min(args.queries, n), replace=False)
    texts = [q[1] for q in make_queries(args.text_queries)] if args.text_queries else []
    kinds = {"stored vectors": (matrix[sample], sample)}
    if texts:
        kinds["text queries"] = (get_embedder().embed(texts), None)
    for name, (queries, own) in kinds.items():
        exact = []
        started = time.monotonic()
        for j, q in enumerate(queries):
            scores = matrix @ q
            if own is not None:
                scores[own[j]] = -np.inf
            exact.append(set(np.argpartition(-scores, 10)[:10].tolist()))
        exact_ms = 1000 * (time.monotonic() - started) / len(queries)
        print(f"{len(queries)} {name}; exact numpy: {exact_ms:.2f} ms a query")
        for ef in (16, 32, 64, 100, 200, 400, 800, 1600):
            index.set_ef(ef)
            started = time.monotonic()
            labels, _ = index.knn_query(queries, k=11, num_threads=1)
            ms = 1000 * (time.monotonic() - started) / len(queries)
            hits = 0
            for j, row in enumerate(labels):
                got = [x for x in row.tolist() if own is None or x != own[j]][:10]
                hits += len(set(got) & exact[j])
            recall = hits / (10 * len(queries))
            print(f"  ef {ef:4d}: recall@10 {recall:.4f}, {ms:.3f} ms a query")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
