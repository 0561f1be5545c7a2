"""Embedding speed: papers a second on this machine, and what that means for the
74,728-paper listings corpus; plus the time to embed one short query.

    python benchmarks/embed_speed.py [--papers 1000] [--batch-size 1]

Uses the int8 model (built into a temporary models folder on first run unless
PAPERFEED_DATA_DIR points at one that has it).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

LISTINGS = (
    Path(__file__).resolve().parents[2] / "shared/data/arxiv/cs-listings-2025-03_2026-07.jsonl.gz"
)
CORPUS_SIZE = 74_728


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=1)
    args = parser.parse_args()

    from paperfeed.search.embeddings import Embedder, ensure_model, model_dir, paper_text

    texts = []
    with gzip.open(LISTINGS, "rt", encoding="utf-8") as lines:
        for line in lines:
            if len(texts) >= args.papers:
                break
            d = json.loads(line)
            texts.append(paper_text(d["title"], d.get("abstract") or ""))
    folder = model_dir()
    cache = Path(os.environ.get("PAPERFEED_DATA_DIR") or tempfile.mkdtemp()) / "models"
    started = time.monotonic()
    path = ensure_model(cache, folder)
    print(f"model ready in {time.monotonic() - started:.1f}s ({path.stat().st_size >> 20} MB)")
    embedder = Embedder(path, folder / "tokenizer.json")
    embedder.embed(texts[:4])
    tokens = [len(e.ids) for e in embedder.tokenizer.encode_batch(texts)]
    started = time.monotonic()
    embedder.embed(texts, batch_size=args.batch_size)
    took = time.monotonic() - started
    rate = len(texts) / took
    print(
        f"{len(texts)} papers (mean {statistics.mean(tokens):.0f} word pieces,"
        f" {sum(t >= 256 for t in tokens)} cut at 256) in {took:.1f}s:"
        f" {rate:.1f} papers/s, batch size {args.batch_size}, {os.cpu_count()} cores"
    )
    print(f"projected for {CORPUS_SIZE:,} papers: {CORPUS_SIZE / rate / 60:.0f} minutes")
    laps = []
    for query in ["graph neural networks", "diffusion models for video", "robot grasping"] * 10:
        t = time.perf_counter()
        embedder.embed_one(query)
        laps.append(1000 * (time.perf_counter() - t))
    print(f"one short query: median {statistics.median(laps):.1f} ms, max {max(laps):.1f} ms")


if __name__ == "__main__":
    main()
