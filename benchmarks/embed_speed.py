"""Embedding speed: papers a second on this machine, and what that means for the
74,728-paper listings corpus; plus the time to embed one short query. With
``--data-dir``, instead time ``paperfeed reindex`` over that data directory's whole
catalogue (keyword index, every embedding, the ANN index when above the threshold).

    python benchmarks/embed_speed.py [--papers 1000] [--batch-size 1] [--threads N]
    python benchmarks/embed_speed.py --data-dir DIR [--missing]

Uses the int8 model (built into a temporary models folder on first run unless
PAPERFEED_DATA_DIR points at one that has it). ``--threads`` is how many texts are
embedded at once (default: the usable cores; ``PAPERFEED_EMBED_THREADS`` for paperfeed).
The ``--data-dir`` mode rewrites that directory's search indexes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchdata import require_data_dir, require_listings  # this folder is on sys.path

CORPUS_SIZE = 74_728


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def speed(args: argparse.Namespace) -> None:
    from paperfeed.search.embeddings import Embedder, ensure_model, model_dir, paper_text

    texts = []
    with gzip.open(require_listings(), "rt", encoding="utf-8") as lines:
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
    embedder = Embedder(path, folder / "tokenizer.json", threads=args.threads)
    embedder.embed(texts[:4])
    tokens = [len(e.ids) for e in embedder.tokenizer.encode_batch(texts)]
    print(f"before: {load()}")
    started = time.monotonic()
    embedder.embed(texts, batch_size=args.batch_size)
    took = time.monotonic() - started
    rate = len(texts) / took
    print(
        f"{len(texts)} papers (mean {statistics.mean(tokens):.0f} word pieces,"
        f" {sum(t >= 256 for t in tokens)} cut at 256) in {took:.1f}s:"
        f" {rate:.1f} papers/s, batch size {args.batch_size}, {embedder.threads} at once,"
        f" {os.cpu_count()} cores"
    )
    print(f"after: {load()}")
    print(f"projected for {CORPUS_SIZE:,} papers: {CORPUS_SIZE / rate / 60:.0f} minutes")
    laps = []
    for query in ["graph neural networks", "diffusion models for video", "robot grasping"] * 10:
        t = time.perf_counter()
        embedder.embed_one(query)
        laps.append(1000 * (time.perf_counter() - t))
    print(f"one short query: median {statistics.median(laps):.1f} ms, max {max(laps):.1f} ms")


def full_reindex(args: argparse.Namespace) -> None:
    """``paperfeed reindex`` over a real data directory, as a user would run it."""
    require_data_dir(args.data_dir, "an imported catalogue")
    env = dict(os.environ, PAPERFEED_DATA_DIR=args.data_dir)
    paperfeed = [sys.executable, "-m", "paperfeed"]
    stats = subprocess.run(
        [*paperfeed, "stats", "--json"], env=env, capture_output=True, text=True, check=True
    )
    papers = json.loads(stats.stdout)["papers"]
    command = [*paperfeed, "reindex", *(["--missing"] if args.missing else [])]
    print(f"{papers:,} papers in {args.data_dir}; running: paperfeed {' '.join(command[3:])}")
    print(f"before: {load()}", flush=True)
    started = time.monotonic()
    subprocess.run(command, env=env, check=True)
    took = time.monotonic() - started
    print(f"after: {load()}")
    print(
        f"reindex of {papers:,} papers in {took:.0f}s ({took / 60:.1f} min):"
        f" {papers / took:.1f} papers/s end to end, {os.cpu_count()} cores"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None, help="texts embedded at once")
    parser.add_argument("--data-dir", help="time a whole `paperfeed reindex` of this data dir")
    parser.add_argument("--missing", action="store_true", help="with --data-dir: --missing")
    args = parser.parse_args()
    full_reindex(args) if args.data_dir else speed(args)


if __name__ == "__main__":
    main()
