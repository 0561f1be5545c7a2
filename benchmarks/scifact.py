"""SciFact (BEIR) retrieval quality of paperfeed search: nDCG@10 and recall@100.

Imports the 5,183 SciFact abstracts as papers, indexes them (keyword rows and
embeddings, as ``paperfeed reindex --missing`` does), then runs the 809 training
claims through ``paperfeed search -`` (one process per mode, queries on standard
input, one JSON line back per query) and scores the rankings against
``qrels-train.tsv``. These are training-split figures: the published BEIR numbers
(BM25 0.665, all-MiniLM-L6-v2 about 0.64 nDCG@10) are on the test split.

SciFact ids are not arXiv ids, so each document gets a synthetic new-style id
``9901.NNNNN`` (NNNNN = its position in corpus.jsonl) and a dict maps it back.

    python benchmarks/scifact.py [--data-dir DIR] [--modes keyword,semantic,hybrid]

``--data-dir`` keeps the imported corpus, so a second run skips the embedding.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

from benchdata import SCIFACT_WHAT, require_scifact  # this folder is on sys.path


def load_corpus() -> list[dict]:
    with open(require_scifact("corpus.jsonl"), encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def synthetic_id(position: int) -> str:
    return f"9901.{position:05d}"


def import_corpus(docs: list[dict]) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from paperfeed.catalogue.ingest import Ingestor
    from paperfeed.catalogue.models import Paper
    from paperfeed.search.indexing import missing_embeddings, reindex
    from paperfeed.sources.records import PaperRecord

    call_command("migrate", verbosity=0)
    if Paper.objects.count() < len(docs):
        records = [
            PaperRecord(
                arxiv_id=synthetic_id(i),
                title=doc["title"] or doc["text"][:80],
                abstract=doc["text"],
                categories=["q-bio.QM"],
                primary_category="q-bio.QM",
            )
            for i, doc in enumerate(docs)
        ]
        ingestor = Ingestor()
        for start in range(0, len(records), 1000):
            ingestor.ingest(records[start : start + 1000])
    todo = len(missing_embeddings())
    if todo:
        print(f"indexing {todo} documents (keyword rows and embeddings)...", flush=True)
        started = time.monotonic()
        reindex(missing_only=True, batch_size=128)
        took = time.monotonic() - started
        print(f"indexed in {took:.0f}s ({todo / took:.1f} docs/s)", flush=True)


def run_queries(mode: str, queries: list[tuple[str, str]], limit: int) -> tuple[list, float]:
    """All queries through one `paperfeed search -` process; (results, seconds)."""
    text = "".join(q.replace("\n", " ") + "\n" for _, q in queries)
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "paperfeed", "search", "-", "--mode", mode, "--limit", str(limit)],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    took = time.monotonic() - started
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == len(queries), (len(lines), len(queries), proc.stderr[-2000:])
    return lines, took


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    dcg = sum(relevant.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(rel / math.log2(i + 2) for i, rel in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="keep the imported corpus here (default: temporary)")
    parser.add_argument("--modes", default="keyword,semantic,hybrid")
    args = parser.parse_args()
    for name in SCIFACT_WHAT:
        require_scifact(name)
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="paperfeed-scifact-")
    os.environ["PAPERFEED_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    # Index here, in this process; no task queue needed for a benchmark.
    os.environ["PAPERFEED_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"

    docs = load_corpus()
    to_scifact = {synthetic_id(i): doc["_id"] for i, doc in enumerate(docs)}
    import_corpus(docs)

    queries_text = {}
    with open(require_scifact("queries-train.jsonl"), encoding="utf-8") as lines:
        for line in lines:
            q = json.loads(line)
            queries_text[q["_id"]] = q["text"]
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with open(require_scifact("qrels-train.tsv"), encoding="utf-8") as lines:
        next(lines)
        for line in lines:
            qid, doc, score = line.rstrip("\n").split("\t")
            qrels[qid][doc] = int(score)
    queries = [(qid, queries_text[qid]) for qid in sorted(qrels, key=int) if qid in queries_text]
    print(f"SciFact train: {len(docs)} documents, {len(queries)} queries with judgments")
    print(f"{'mode':<9} {'nDCG@10':>8} {'recall@100':>11} {'ms/query':>9}")
    for mode in args.modes.split(","):
        results, took = run_queries(mode, queries, limit=100)
        ndcgs, recalls = [], []
        for (qid, _), line in zip(queries, results, strict=True):
            ranked = [to_scifact[r["id"]] for r in line["results"]]
            relevant = qrels[qid]
            ndcgs.append(ndcg_at(ranked, relevant, 10))
            found = len(set(ranked[:100]) & set(relevant))
            recalls.append(found / len(relevant))
        per_query = 1000 * took / len(queries)
        print(
            f"{mode:<9} {sum(ndcgs) / len(ndcgs):8.4f} {sum(recalls) / len(recalls):11.4f}"
            f" {per_query:9.1f}",
            flush=True,
        )
    print(f"(ms/query includes process start-up and model load, spread over {len(queries)})")


if __name__ == "__main__":
    main()
