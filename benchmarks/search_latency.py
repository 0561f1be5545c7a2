"""Search latency over a real indexed catalogue, and over one million papers and
vectors with the ANN recall@10 against exact search.

    python benchmarks/search_latency.py --data-dir /tmp/pf-full [--queries 300]
    python benchmarks/search_latency.py --data-dir /tmp/pf-full --million [--noise 0.5]

Queries: ``--queries`` realistic ones (a third paper titles, a third two- or
three-word phrases cut from titles, a third SciFact claims), each run through
``paperfeed.search.hybrid.search`` (what ``paperfeed search`` and ``/api/search``
call, 20 results) in every mode, without a filter and with the primary category of
a random paper (so big categories come up as often as readers would pick them).
Queries are interleaved across modes so a change in machine load touches all alike.

Without ``--million``: over the data directory as it is (read only).

With ``--million``: the data directory's SQLite database is copied to a temporary
folder (``--work-dir`` keeps it for another run) and tiled up to ``--vectors``
papers: each copy of a paper keeps its title, abstract, authors (keyword row) and
categories, and gets the paper's vector plus random noise of norm ``--noise``,
re-normalised. Then everything is paperfeed's own code over that catalogue:
``vectors.sync_ann_index(rebuild=True)`` builds the hnswlib file (timed), recall@10
of ``vector_search()`` is measured against exact numpy search over all the vectors
(for the text queries, and for stored paper vectors as in "similar papers"), and
``search()`` is timed in every mode, keyword over the grown full-text index too.
The data directory itself is only read.

With ``--postgres DIR``: the same measurement on PostgreSQL + pgvector, on a
throw-away server in DIR (``scripts/postgres.py``), into which the data directory's
catalogue and vectors are copied on first use (``pg_copy.py``; about N minutes at
74,728 papers, mostly the HNSW build); a second run reuses it.

Prints figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchdata import SCIFACT, require_data_dir  # this folder is on sys.path

# Labels of the synthetic copies: copy k of paper p is k * COPY_BASE + p.
COPY_BASE = 10**8


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def percentiles(laps: list[float]) -> str:
    laps = sorted(laps)
    p95 = laps[min(len(laps) - 1, round(0.95 * (len(laps) - 1)))]
    return (
        f"p50 {statistics.median(laps):7.1f}  p95 {p95:7.1f}  mean {statistics.mean(laps):7.1f}"
        f"  max {laps[-1]:7.1f} ms"
    )


# --------------------------------------------------------------------------- queries


def make_queries(count: int, seed: int = 0, papers=None) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(kind, text, category) triples; the category is a random paper's primary one."""
    from paperfeed.catalogue.models import Paper

    papers = Paper.objects.all() if papers is None else papers
    rng = random.Random(seed)
    ids = sorted(papers.values_list("id", flat=True))
    titles = dict(
        Paper.objects.filter(id__in=rng.sample(ids, min(len(ids), count))).values_list(
            "id", "title"
        )
    )
    pool = [titles[pk] for pk in sorted(titles)]
    rng.shuffle(pool)
    picked = rng.sample(ids, min(len(ids), count))
    categories = dict(Paper.objects.filter(id__in=picked).values_list("id", "primary_category_id"))
    texts = query_texts(pool, count, rng)
    return [
        (kind, text, categories[picked[i % len(picked)]]) for i, (kind, text) in enumerate(texts)
    ]


def query_texts(titles: list[str], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, text) pairs taking turns: a title, two or three words cut from one (from a
    word that is not a stopword), a SciFact claim (when the data set is there)."""
    from paperfeed.search.keyword import STOPWORDS

    claims = []
    if (SCIFACT / "queries-train.jsonl").exists():
        with open(SCIFACT / "queries-train.jsonl", encoding="utf-8") as lines:
            claims = [json.loads(line)["text"] for line in lines if line.strip()]
    out = []
    for i in range(count):
        kind = ("title", "phrase", "scifact")[i % 3] if claims else ("title", "phrase")[i % 2]
        title = " ".join(titles[i % len(titles)].split())
        if kind == "title":
            text = title
        elif kind == "phrase":
            words = re.findall(r"[A-Za-z][A-Za-z-]+", title)
            starts = [j for j, w in enumerate(words) if w.lower() not in STOPWORDS] or [0]
            start = rng.choice(starts)
            text = " ".join(words[start : start + rng.choice((2, 3))]).lower() or title
        else:
            text = rng.choice(claims)
        out.append((kind, text))
    return out


def run_modes(queries, combos, label: str) -> None:  # type: ignore[no-untyped-def]
    """Time search() for each query and (mode, filtered) combination; print a table."""
    from paperfeed.search.filters import Filters
    from paperfeed.search.hybrid import search

    laps: dict[tuple[str, bool], list[float]] = {c: [] for c in combos}
    found: dict[tuple[str, bool], int] = {c: 0 for c in combos}
    print(f"{label}: {len(queries)} queries x {len(combos)} combinations; before: {load()}")
    began = last = time.monotonic()
    for done, (_, text, category) in enumerate(queries):
        if time.monotonic() - last > 60:
            last = time.monotonic()
            print(f"  {done}/{len(queries)} queries in {last - began:.0f}s; {load()}", flush=True)
        for mode, filtered in combos:
            filters = Filters((category,)) if filtered else Filters()
            started = time.perf_counter()
            hits = search(text, mode=mode, filters=filters, limit=20)
            laps[(mode, filtered)].append(1000 * (time.perf_counter() - started))
            found[(mode, filtered)] += len(hits)
    print(f"after: {load()}")
    for mode, filtered in combos:
        where = "category filter" if filtered else "no filter"
        mean_hits = found[(mode, filtered)] / len(queries)
        print(
            f"  {mode:<8} {where:<15} {percentiles(laps[(mode, filtered)])}"
            f"  ({mean_hits:.1f} results)"
        )


def catalogue(args: argparse.Namespace, queries) -> None:  # type: ignore[no-untyped-def]
    from paperfeed.catalogue.models import Paper
    from paperfeed.search import vectors
    from paperfeed.search.filters import Filters
    from paperfeed.search.hybrid import MODES, search
    from paperfeed.search.keyword import keyword_table

    papers = Paper.objects.count()
    state = vectors.TableState.read()
    table, _ = keyword_table()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        keyword_rows = cursor.fetchone()[0]
    if vectors.use_pgvector():
        from paperfeed.search.backends import backend

        own = sorted(backend().category_indexes())  # type: ignore[attr-defined]
        path = f"pgvector HNSW, and {len(own)} categories' own indexes {own}"
    elif state.count <= vectors.ann_threshold():
        path = f"exact (at most {vectors.ann_threshold():,} vectors)"
    else:
        path = "hnswlib file"
    print(
        f"catalogue: {papers:,} papers, {keyword_rows:,} keyword rows, {state.count:,} vectors;"
        f" vector search: {path}; {os.cpu_count()} cores"
    )
    kinds = {k: sum(1 for q in queries if q[0] == k) for k in ("title", "phrase", "scifact")}
    print(f"queries: {kinds}, e.g. {[q[1][:60] for q in queries[:3]]}")
    for mode in MODES:  # first use: model load, vector matrix read
        started = time.perf_counter()
        search(queries[0][1], mode=mode, filters=Filters(), limit=20)
        print(f"  first {mode} search (cold): {1000 * (time.perf_counter() - started):.0f} ms")
    combos = [(mode, filtered) for mode in MODES for filtered in (False, True)]
    run_modes(queries, combos, f"{papers:,} papers")
    if args.again:  # as a long-running server has them: filters' ids and vectors read
        run_modes(queries, combos, f"again, in the same process, caches warm ({papers:,} papers)")


# --------------------------------------------------------------------------- one million


def perturbed(vectors, noise: float, rng):  # type: ignore[no-untyped-def]
    """Each vector moved by Gaussian noise of norm ``noise`` and re-normalised: a copy's
    vector, near its original as a similar paper's would be. One draw per vector, in
    order, so the same seed makes the same copies here and in ``category_index.py``."""
    import numpy as np

    shifts = rng.standard_normal(vectors.shape, dtype=np.float32)
    shifts *= noise / np.linalg.norm(shifts, axis=1, keepdims=True)
    block = vectors + shifts
    block /= np.linalg.norm(block, axis=1, keepdims=True)
    return block


def grow_catalogue(source: Path, target: Path, total: int, noise: float, seed: int) -> None:
    """Copy the data dir's SQLite database to ``target`` and tile it up to ``total``
    papers: copy k of paper p gets id k * COPY_BASE + p, its title, abstract,
    authors' keyword row and categories, and its vector plus Gaussian noise of norm
    ``noise``, re-normalised. Plain sqlite3, before Django starts."""
    import sqlite3

    import numpy as np

    from paperfeed.search.embeddings import MODEL_NAME

    started = time.monotonic()
    target.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target / "index", ignore_errors=True)  # of an earlier copy
    for name in ("secret_key", "models"):  # the model is read, never rebuilt
        if (source / name).exists() and not (target / name).exists():
            (target / name).symlink_to(source / name)
    src = sqlite3.connect(f"file:{source / 'paperfeed.sqlite3'}?mode=ro", uri=True)
    db = sqlite3.connect(target / "paperfeed.sqlite3", isolation_level=None)
    src.backup(db)
    src.close()
    db.execute("PRAGMA synchronous = OFF")  # a throw-away copy
    # A database migrated before embedding rows held categories gets them at migrate.
    held = "categories" in [r[1] for r in db.execute("PRAGMA table_info(search_paperembedding)")]
    rows = db.execute(
        f"SELECT paper_id, vector, {'categories' if held else 'NULL'} FROM search_paperembedding"
        " WHERE model_name = ? ORDER BY paper_id",
        [MODEL_NAME],
    ).fetchall()
    codes = [r[2] for r in rows]
    more = ", categories" if held else ""
    ids = np.asarray([r[0] for r in rows], dtype=np.int64)
    real = np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
    n0 = len(ids)
    papers = db.execute("SELECT COUNT(*) FROM catalogue_paper").fetchone()[0]
    if papers != n0 or ids.max() >= COPY_BASE:
        raise SystemExit(f"{papers} papers but {n0} vectors: run paperfeed reindex first")
    if ids.max() >= 100_000:  # the copies' ids cs/KKPPPPP hold five digits of it
        raise SystemExit("grows catalogues whose paper keys are below 100,000")
    (stamp,) = db.execute("SELECT MAX(updated_at) FROM search_paperembedding").fetchone()
    columns = [r[1] for r in db.execute("PRAGMA table_info(catalogue_paper)")]
    rest = ", ".join(f'"{c}"' for c in columns if c not in ("id", "arxiv_id"))
    rng = np.random.default_rng(seed)
    print(f"copying {n0:,} papers to {total:,} in {target} (noise norm {noise})", flush=True)
    for k in range(1, -(-total // n0)):
        m = min(n0, total - k * n0)
        cutoff, offset = int(ids[m - 1]), k * COPY_BASE
        block = perturbed(real[:m], noise, rng)
        db.execute("BEGIN")
        db.execute(
            # copy k of paper p is cs/KKPPPPP: a valid (old-style) id, as pages link it
            f"INSERT INTO catalogue_paper (id, arxiv_id, {rest}) SELECT id + ?,"
            f" printf('cs/%02d%05d', {k}, id), {rest} FROM catalogue_paper WHERE id <= ?",
            [offset, cutoff],
        )
        db.execute(
            "INSERT INTO catalogue_paper_categories (paper_id, category_id)"
            " SELECT paper_id + ?, category_id FROM catalogue_paper_categories"
            " WHERE paper_id <= ?",
            [offset, cutoff],
        )
        db.execute(
            "INSERT INTO paper_fts (rowid, title, abstract, authors)"
            " SELECT rowid + ?, title, abstract, authors FROM paper_fts WHERE rowid <= ?",
            [offset, cutoff],
        )
        db.executemany(
            "INSERT INTO search_paperembedding"
            f" (paper_id, model_name, vector, pgvector, updated_at, text_hash{more})"
            f" VALUES (?, ?, ?, NULL, ?, ''{', ?' if held else ''})",
            (
                (int(pk) + offset, MODEL_NAME, vec.tobytes(), stamp, *([c] if held else []))
                for pk, vec, c in zip(ids[:m], block, codes[:m], strict=True)
            ),
        )
        db.execute("COMMIT")
        done = n0 + sum(min(n0, total - j * n0) for j in range(1, k + 1))
        print(f"  {done:,} papers ({time.monotonic() - started:.0f}s)", flush=True)
    copy_cos = (block * real[:m]).sum(axis=1)
    sample = rng.choice(n0, size=min(500, n0), replace=False)
    scores = real[sample] @ real.T
    scores[np.arange(len(sample)), sample] = -np.inf
    print(
        f"grown in {time.monotonic() - started:.0f}s; cosine of a copy to its original: median"
        f" {np.median(copy_cos):.3f}; of a real paper to its nearest other real paper:"
        f" median {np.median(scores.max(axis=1)):.3f}"
    )
    began = time.monotonic()
    db.execute("INSERT INTO paper_fts (paper_fts) VALUES ('optimize')")  # as reindex does
    print(f"full-text index merged into one segment in {time.monotonic() - began:.0f}s")
    db.execute("PRAGMA optimize")
    db.close()


def exact_top(matrix, labels, queries, k: int = 10):  # type: ignore[no-untyped-def]
    """Exact top-k labels per query (numpy, in row chunks)."""
    import numpy as np

    best_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_labels = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, len(matrix), 100_000):
        scores = queries @ matrix[start : start + 100_000].T
        part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        all_scores = np.concatenate([best_scores, np.take_along_axis(scores, part, 1)], axis=1)
        all_labels = np.concatenate([best_labels, labels[start + part]], axis=1)
        keep = np.argsort(-all_scores, axis=1)[:, :k]
        best_scores = np.take_along_axis(all_scores, keep, axis=1)
        best_labels = np.take_along_axis(all_labels, keep, axis=1)
    return best_labels


def million(args: argparse.Namespace, queries) -> None:  # type: ignore[no-untyped-def]
    """Over the grown catalogue (Django already pointed at it): paperfeed's own index
    rebuild, recall against exact search, and the real search() latencies."""
    import numpy as np

    from paperfeed.catalogue.models import Paper
    from paperfeed.search import vectors
    from paperfeed.search.embeddings import get_embedder
    from paperfeed.search.filters import Filters

    state = vectors.TableState.read()
    print(f"\n{Paper.objects.count():,} papers, {state.count:,} vectors")
    if args.rebuild or vectors.ann_index() is None:
        print(
            f"vectors.sync_ann_index(rebuild=True): hnswlib M {vectors.HNSW_M},"
            f" ef_construction {vectors.HNSW_EF_CONSTRUCTION}, one thread; before: {load()}",
            flush=True,
        )
        started = time.monotonic()
        last = [started]

        def progress(done: int, count: int) -> None:
            now = time.monotonic()
            if now - last[0] > 60 or done == count:
                last[0] = now
                eta = (now - started) / done * (count - done)
                print(
                    f"  {done:,}/{count:,} in {now - started:.0f}s (~{eta:.0f}s left)", flush=True
                )

        print(" ", vectors.sync_ann_index(rebuild=True, progress=progress))
        took = time.monotonic() - started
        print(
            f"index rebuilt (reading the vectors included) in {took:.0f}s ({took / 60:.1f} min,"
            f" {state.count / took:.0f} vectors/s); {load()}"
        )
    vectors.clear_caches()
    started = time.monotonic()
    ann = vectors.ann_index()
    print(
        f"index file {ann.path.stat().st_size / 2**30:.2f} GiB, {ann.index.get_current_count():,}"
        f" vectors: loaded in {time.monotonic() - started:.1f}s (once per process)"
    )
    started = time.monotonic()
    labels, big = vectors.load_vectors()
    print(f"all vectors read for exact search in {time.monotonic() - started:.0f}s")

    text_vecs = get_embedder().embed([q[1] for q in queries])
    rng = np.random.default_rng(args.seed + 1)
    rows = rng.choice(len(big), size=len(queries), replace=False)
    sets = {"text queries": (text_vecs, None), "stored paper vectors": (big[rows], labels[rows])}
    truth = {}
    for name, (qs, own) in sets.items():
        top = exact_top(big, labels, qs, k=11 if own is not None else 10)
        if own is not None:  # a paper is not its own neighbour
            pairs = zip(top.tolist(), own.tolist(), strict=True)
            top = np.asarray([[x for x in row if x != mine][:10] for row, mine in pairs])
        truth[name] = top
    laps = []
    for q in text_vecs[:20]:
        t = time.perf_counter()
        np.argpartition(-(big @ q), 10)[:10]
        laps.append(1000 * (time.perf_counter() - t))
    print(f"exact numpy search over {len(big):,} vectors: {statistics.median(laps):.0f} ms a query")
    print(f"recall@10 of vector_search() (the AnnIndex path) against exact; {load()}")
    for name, (qs, own) in sets.items():
        hits, laps = 0, []
        for j, q in enumerate(qs):
            exclude = {int(own[j])} if own is not None else frozenset()
            t = time.perf_counter()
            got = [pk for pk, _ in vectors.vector_search(q, limit=10, exclude=exclude)]
            laps.append(1000 * (time.perf_counter() - t))
            hits += len(set(got) & set(truth[name][j].tolist()))
        print(
            f"  {len(qs)} {name}: recall@10 {hits / (10 * len(qs)):.4f}"
            f" (ef {vectors.HNSW_EF_SEARCH}); {percentiles(laps)}"
        )
    for ef in (32, 64, 100, 200, 400):
        ann.index.set_ef(ef)
        started = time.perf_counter()
        found, _ = ann.index.knn_query(text_vecs, k=10, num_threads=1)
        ms = 1000 * (time.perf_counter() - started) / len(text_vecs)
        hits = sum(
            len(set(found[j].tolist()) & set(truth["text queries"][j].tolist()))
            for j in range(len(text_vecs))
        )
        recall = hits / (10 * len(text_vecs))
        print(f"  raw knn_query, text queries, ef {ef:3d}: recall@10 {recall:.4f}, {ms:.2f} ms")
    del big, labels

    threshold = vectors.ann_threshold()
    sizes = {}
    for category in sorted({q[2] for q in queries}):
        sizes[category] = len(Filters((category,)).paper_ids())
    small = sum(1 for q in queries if sizes[q[2]] <= threshold)
    print(
        f"category filters: {len(sizes)} categories, {min(sizes.values()):,} to"
        f" {max(sizes.values()):,} papers; {small} of {len(queries)} queries filter to at most"
        f" {threshold:,} papers (their vectors are read from the database and scored"
        " exactly), the others search the index with the filter"
    )
    from paperfeed.search.hybrid import MODES

    combos = [(mode, filtered) for mode in MODES for filtered in (False, True)]
    run_modes(queries, combos, f"{Paper.objects.count():,} papers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="a data dir with the corpus indexed")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--million", action="store_true", help="the grown-catalogue part")
    parser.add_argument("--vectors", type=int, default=1_000_000, help="papers to grow to")
    parser.add_argument("--noise", type=float, default=0.5, help="perturbation norm")
    parser.add_argument("--work-dir", help="keep the grown copy here (reused if present)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild a reused copy's index")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--again", action="store_true", help="then the same queries again in the same process"
    )
    parser.add_argument(
        "--postgres",
        metavar="DIR",
        help="measure on PostgreSQL + pgvector instead: a throw-away server in DIR"
        " (scripts/postgres.py), the catalogue copied in by pg_copy.py on first use",
    )
    args = parser.parse_args()
    if args.postgres:
        if args.million:
            raise SystemExit("--postgres measures the catalogue as it is, not --million")
        script = Path(__file__).resolve().parents[1] / "scripts" / "postgres.py"
        started = subprocess.run(
            [sys.executable, str(script), "start", args.postgres],
            check=True,
            capture_output=True,
            text=True,
        )
        os.environ["DATABASE_URL"] = started.stdout.strip()
    data_dir = require_data_dir(Path(args.data_dir).resolve(), "the corpus imported and indexed")
    work = None
    if args.million:
        if os.environ.get("DATABASE_URL"):
            raise SystemExit("--million grows a SQLite copy: unset DATABASE_URL")
        work = Path(args.work_dir or tempfile.mkdtemp(prefix="paperfeed-million-"))
        marker = work / "grown.json"
        wanted = {"source": str(data_dir), "vectors": args.vectors, "noise": args.noise}
        wanted["seed"] = args.seed
        if not marker.exists() or json.loads(marker.read_text()) != wanted:
            grow_catalogue(data_dir, work, args.vectors, args.noise, args.seed)
            marker.write_text(json.dumps(wanted))
        os.environ["PAPERFEED_DATA_DIR"] = str(work)
    else:
        os.environ["PAPERFEED_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    print(f"{dt.datetime.now():%Y-%m-%d %H:%M}, {os.environ['PAPERFEED_DATA_DIR']}; {load()}")
    try:
        if args.million:
            from paperfeed.catalogue.models import Paper

            # Queries from the real papers only (copies share their titles).
            queries = make_queries(args.queries, args.seed, Paper.objects.filter(id__lt=COPY_BASE))
            million(args, queries)
        else:
            if args.postgres:
                from django.core.management import call_command
                from pg_copy import copy_catalogue

                from paperfeed.catalogue.models import Paper

                call_command("migrate", verbosity=0)
                if not Paper.objects.exists():
                    print(f"copying {data_dir} into PostgreSQL ({args.postgres})")
                    copy_catalogue(data_dir / "paperfeed.sqlite3")
            catalogue(args, make_queries(args.queries, args.seed))
    finally:
        if work is not None and not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
