"""Recall@10 and latency inside one category's own HNSW index, by ef_search, at the size
the category has in the million-paper catalogue, without building that catalogue.

    python benchmarks/category_index.py --work-dir /tmp/pf-category [--category cs.CL]
        [--total 1010000] [--queries 200] [--seed 1] [--ef 400,600,800,1000]

On PostgreSQL a category holding more than a twentieth and at most three quarters of
the papers is searched through a partial HNSW index of its own rows
(``PostgresBackend.ensure_category_indexes``), and the beam it is searched with is
``postgres.OWN_INDEX_EF_SEARCH``. This measures that index apart: the corpus papers
listed in ``--category`` (the real listings) are embedded by paperfeed's model (kept
in the work folder for the next run), tiled as ``search_latency.py --million`` tiles
the corpus up to ``--total`` papers (copy k of a paper: its vector plus Gaussian noise
of norm ``--noise``, re-normalised; the last copy only for the corpus's first papers),
and copied into a throw-away PostgreSQL server in the work folder, where an HNSW index
with paperfeed's parameters (``postgres.HNSW_PARAMETERS``) is built over those rows
alone, as the partial index holds them. Queries as in search_latency.py (paper titles
of the whole corpus, phrases cut from them, SciFact claims), embedded by paperfeed;
the truth is exact search over the same rows. Each beam is run twice and the second
pass timed (warm). Prints figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchdata import LISTINGS, require_listings  # this folder is on sys.path

HERE = Path(__file__).resolve().parent


def category_vectors(work: Path, category: str):  # type: ignore[no-untyped-def]
    """(corpus line numbers, vectors) of the corpus papers listed in ``category``."""
    import numpy as np

    from paperfeed.search.embeddings import embedder_from_settings, paper_text

    cached = work / f"vectors-{category}.npz"
    if cached.exists():
        kept = np.load(cached)
        return kept["lines"], kept["vectors"]
    lines, texts = [], []
    with gzip.open(require_listings(), "rt", encoding="utf-8") as corpus:
        for number, line in enumerate(corpus):
            paper = json.loads(line)
            if category in paper["categories"]:
                lines.append(number)
                texts.append(paper_text(paper["title"], paper["abstract"]))
    embedder = embedder_from_settings()
    started = time.monotonic()
    vectors = np.zeros((len(texts), embedder.dimensions), dtype=np.float32)
    for at in range(0, len(texts), 256):
        vectors[at : at + 256] = embedder.embed(texts[at : at + 256], batch_size=16)
        print(f"  embedded {at + len(texts[at : at + 256]):,} of {len(texts):,}", flush=True)
    print(f"embedded {len(texts):,} papers in {time.monotonic() - started:.0f} s")
    np.savez(cached, lines=np.asarray(lines, dtype=np.int64), vectors=vectors)
    return np.asarray(lines, dtype=np.int64), vectors


def tiled(lines, vectors, corpus_size: int, total: int, noise: float):  # type: ignore[no-untyped-def]
    """The category's rows in a catalogue tiled up to ``total`` papers: labels and vectors."""
    import numpy as np
    from search_latency import COPY_BASE, perturbed  # on sys.path

    rng = np.random.default_rng(0)
    labels, blocks = [lines], [vectors]
    for k in range(1, -(-total // corpus_size)):
        copied = min(corpus_size, total - k * corpus_size)  # the corpus's first papers
        chosen = np.flatnonzero(lines < copied)
        labels.append(lines[chosen] + k * COPY_BASE)
        blocks.append(perturbed(vectors[chosen], noise, rng))
    return np.concatenate(labels), np.vstack(blocks).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", required=True, type=Path, help="kept between runs")
    parser.add_argument("--category", default="cs.CL")
    parser.add_argument("--total", type=int, default=1_010_000, help="the catalogue's size")
    parser.add_argument("--noise", type=float, default=0.5, help="perturbation norm")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ef", default="400,600,800,1000")
    args = parser.parse_args()
    require_listings()
    work = args.work_dir.resolve()
    (work / "data").mkdir(parents=True, exist_ok=True)
    os.environ["PAPERFEED_DATA_DIR"] = str(work / "data")  # the model's graph is built there
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    import numpy as np
    import psycopg
    from search_latency import load, percentiles, query_texts  # on sys.path

    from paperfeed.search.backends.postgres import HNSW_PARAMETERS, pgvector_literal
    from paperfeed.search.embeddings import embedder_from_settings

    with gzip.open(LISTINGS, "rt", encoding="utf-8") as corpus:
        titles = [json.loads(line)["title"] for line in corpus]
    lines, vectors = category_vectors(work, args.category)
    labels, matrix = tiled(lines, vectors, len(titles), args.total, args.noise)
    print(
        f"{args.category}: {len(lines):,} of the corpus's {len(titles):,} papers, "
        f"{len(labels):,} rows in a catalogue of {args.total:,}"
    )

    dsn = subprocess.run(
        [sys.executable, str(HERE.parent / "scripts" / "postgres.py"), "start", str(work / "pg")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    table = "rows_" + "".join(c if c.isalnum() else "_" for c in args.category.lower())
    db = psycopg.connect(dsn, autocommit=True)
    held = db.execute("SELECT to_regclass(%s)", [table]).fetchone()[0]
    if not held or db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] != len(labels):
        db.execute(f"DROP TABLE IF EXISTS {table}")
        db.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY, v vector({matrix.shape[1]}))")
        with db.cursor().copy(f"COPY {table} (id, v) FROM STDIN") as copy:
            for label, row in zip(labels.tolist(), matrix, strict=True):
                copy.write_row((label, pgvector_literal(row)))
    if not db.execute("SELECT to_regclass(%s)", [f"{table}_hnsw"]).fetchone()[0]:
        db.execute("SET maintenance_work_mem = '4GB'")
        started = time.monotonic()
        db.execute(
            f"CREATE INDEX {table}_hnsw ON {table}"
            f" USING hnsw (v vector_cosine_ops) WITH {HNSW_PARAMETERS}"
        )
        size = db.execute("SELECT pg_size_pretty(pg_relation_size(%s))", [f"{table}_hnsw"])
        print(
            f"HNSW {HNSW_PARAMETERS} built in {(time.monotonic() - started) / 60:.1f} min,"
            f" {size.fetchone()[0]}"
        )
        db.execute(f"VACUUM ANALYZE {table}")

    rng = random.Random(args.seed)
    pool = rng.sample(titles, args.queries)
    texts = [text for _, text in query_texts(pool, args.queries, rng)]
    embedder = embedder_from_settings()
    queries = np.vstack([embedder.embed_one(text) for text in texts])
    truth = [set(labels[np.argsort(-(matrix @ q))[:10]].tolist()) for q in queries]
    print(f"{args.queries} queries (seed {args.seed}); {load()}")
    for ef in [int(x) for x in args.ef.split(",")]:
        for _ in range(2):  # the first pass reads the pages this beam visits
            laps, found = [], []
            for q in queries:
                started = time.perf_counter()
                with db.transaction():
                    db.execute(f"SET LOCAL hnsw.ef_search = {ef}")
                    rows = db.execute(
                        f"SELECT id FROM {table} ORDER BY v <=> %s::vector LIMIT 10",
                        [pgvector_literal(q)],
                    ).fetchall()
                laps.append(1000 * (time.perf_counter() - started))
                found.append({row[0] for row in rows})
        recalls = [len(f & t) / 10 for f, t in zip(found, truth, strict=True)]
        print(
            f"  ef_search {ef:5d}: recall@10 {statistics.mean(recalls):.3f}"
            f" (lowest {min(recalls):.1f}, {sum(r < 0.5 for r in recalls)} below 0.5)"
            f"  {percentiles(laps)}  {load()}",
            flush=True,
        )


if __name__ == "__main__":
    main()
