"""Embedding speed: papers a second on this machine, and what that means for the
74,728-paper listings corpus; plus the time to embed one short query. With
``--data-dir``, instead time ``paperfeed reindex`` over that data directory's whole
catalogue (keyword index, every embedding, the ANN index when above the threshold).

    python benchmarks/embed_speed.py [--papers 1000] [--batch-size 1] [--threads N]
    python benchmarks/embed_speed.py --compare [--papers 200]
    python benchmarks/embed_speed.py --data-dir DIR [--missing]

Uses the int8 model (built into a temporary models folder on first run unless
PAPERFEED_DATA_DIR points at one that has it). ``--threads`` is how many texts are
embedded at once (default: the usable cores; ``PAPERFEED_EMBED_THREADS`` for paperfeed).
``--compare`` times the same papers under each way of running the model (paperfeed's
way first, then batches sorted by length, one run split across the cores, the graph
as the quantiser writes it and fp32) and prints the vectors' cosine to paperfeed's.
The ``--data-dir`` mode rewrites that directory's search indexes.

Other jobs on the machine slow every figure: each line carries the load average and
the CPU time a paper took, which moves much less with load than wall time does.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
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


def listing_texts(count: int) -> list[str]:
    from paperfeed.search.embeddings import paper_text

    texts = []
    with gzip.open(require_listings(), "rt", encoding="utf-8") as lines:
        for line in lines:
            if len(texts) >= count:
                break
            d = json.loads(line)
            texts.append(paper_text(d["title"], d.get("abstract") or ""))
    return texts


def timed(embedder, texts: list[str], batch_size: int = 1):  # type: ignore[no-untyped-def]
    """Vectors, wall seconds and CPU seconds (every thread of this process)."""
    wall, cpu = time.monotonic(), time.process_time()
    vectors = embedder.embed(texts, batch_size=batch_size)
    return vectors, time.monotonic() - wall, time.process_time() - cpu


def minutes_for_corpus(cpu_per_paper: float, cores: int) -> float:
    """Idle-machine estimate: the corpus's CPU time spread over every core."""
    return CORPUS_SIZE * cpu_per_paper / cores / 60


def compare(args: argparse.Namespace) -> None:
    """Each way of running the model over the same papers, paperfeed's first."""
    from paperfeed.search.embeddings import Embedder, ensure_model, model_dir, quantize

    texts = listing_texts(args.papers)
    folder = model_dir()
    cache = Path(os.environ.get("PAPERFEED_DATA_DIR") or tempfile.mkdtemp()) / "models"
    int8, fp32 = ensure_model(cache, folder), ensure_model(cache, folder, quantized=False)
    unfused = cache / "as-quantised.int8.onnx"
    if not unfused.exists():
        quantize(fp32, unfused)
    tokenizer = folder / "tokenizer.json"
    cores = len(os.sched_getaffinity(0))
    ways = [
        ("paperfeed: one text a run, one run a core", int8, cores, 1, 1),
        ("batches of 8 sorted by length", int8, cores, 8, 1),
        ("batches of 32 sorted by length", int8, cores, 32, 1),
        ("one run at a time split across the cores", int8, 1, 1, cores),
        ("graph as quantised (fused at each load)", unfused, cores, 1, 1),
        ("fp32 graph, one text a run", fp32, cores, 1, 1),
        ("fp32 graph, batches of 8", fp32, cores, 8, 1),
    ]
    tokens = [len(e.ids) for e in Embedder(int8, tokenizer).tokenizer.encode_batch(texts)]
    print(
        f"{len(texts)} papers, mean {statistics.mean(tokens):.0f} word pieces,"
        f" {sum(t >= 256 for t in tokens)} cut at 256; {cores} cores"
    )
    print("| way | load s | papers/s | CPU ms/paper | corpus min (idle est.) | cos min |")
    print("|---|---|---|---|---|---|")
    reference = None
    for label, path, runs, batch, intra in ways:
        started = time.monotonic()
        embedder = Embedder(path, tokenizer, threads=runs)
        if intra > 1:  # the same session options, with the intra-op pool widened
            import onnxruntime as ort

            options = embedder.session.get_session_options()
            options.intra_op_num_threads = intra
            embedder.session = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        loaded = time.monotonic() - started
        embedder.embed(texts[:2])
        vectors, wall, cpu = timed(embedder, texts, batch)
        reference = vectors if reference is None else reference
        cos = float((vectors * reference).sum(axis=1).min())
        per = cpu / len(texts)
        print(
            f"| {label} | {loaded:.1f} | {len(texts) / wall:.1f} | {1000 * per:.1f} |"
            f" {minutes_for_corpus(per, cores):.1f} | {cos:.4f} | {load()}"
        )


def speed(args: argparse.Namespace) -> None:
    from paperfeed.search.embeddings import Embedder, ensure_model, model_dir

    texts = listing_texts(args.papers)
    folder = model_dir()
    cache = Path(os.environ.get("PAPERFEED_DATA_DIR") or tempfile.mkdtemp()) / "models"
    started = time.monotonic()
    path = ensure_model(cache, folder)
    print(f"model ready in {time.monotonic() - started:.1f}s ({path.stat().st_size >> 20} MB)")
    embedder = Embedder(path, folder / "tokenizer.json", threads=args.threads)
    embedder.embed(texts[:4])
    tokens = [len(e.ids) for e in embedder.tokenizer.encode_batch(texts)]
    print(f"before: {load()}")
    _, took, cpu = timed(embedder, texts, args.batch_size)
    rate = len(texts) / took
    cores = len(os.sched_getaffinity(0))
    print(
        f"{len(texts)} papers (mean {statistics.mean(tokens):.0f} word pieces,"
        f" {sum(t >= 256 for t in tokens)} cut at 256) in {took:.1f}s:"
        f" {rate:.1f} papers/s, {1000 * cpu / len(texts):.1f} ms of CPU a paper,"
        f" batch size {args.batch_size}, {embedder.threads} at once, {cores} cores"
    )
    print(f"after: {load()}")
    print(
        f"projected for {CORPUS_SIZE:,} papers: {CORPUS_SIZE / rate / 60:.0f} minutes at this"
        f" rate; {minutes_for_corpus(cpu / len(texts), cores):.0f} minutes with every core free"
    )
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
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime  # the stats call above is a few seconds of it
    cores = len(os.sched_getaffinity(0))
    print(f"after: {load()}")
    print(
        f"reindex of {papers:,} papers in {took:.0f}s ({took / 60:.1f} min):"
        f" {papers / took:.1f} papers/s end to end, {1000 * cpu / papers:.1f} ms of CPU a"
        f" paper ({minutes_for_corpus(cpu / papers, cores):.1f} min for the corpus with"
        f" {cores} cores free)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None, help="texts embedded at once")
    parser.add_argument("--data-dir", help="time a whole `paperfeed reindex` of this data dir")
    parser.add_argument("--missing", action="store_true", help="with --data-dir: --missing")
    parser.add_argument("--compare", action="store_true", help="time each way of running it")
    args = parser.parse_args()
    if args.data_dir:
        full_reindex(args)
    elif args.compare:
        compare(args)
    else:
        speed(args)


if __name__ == "__main__":
    main()
