"""Load test of the production server: pages and API under concurrent clients.

    python benchmarks/site_load.py --data-dir DIR [--clients 16] [--seconds 20]

DIR must hold a catalogue (``PAPERFEED_DATA_DIR=DIR paperfeed import
../shared/data/arxiv/cs-listings-2025-03_2026-07.jsonl.gz``); ``--import`` does that
first. The script starts ``paperfeed serve`` on a free loopback port, then drives it
from this second process with N concurrent clients (asyncio + httpx, keep-alive), each
request picking a page of a kind at random: the daily feed of a random announcement
day, a random paper page, trending (day/week/month), the API list of a random day.
It prints requests per second and p50/p95/p99 latency per kind.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
LISTINGS = REPO.parent / "shared" / "data" / "arxiv" / "cs-listings-2025-03_2026-07.jsonl.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def drive(base: str, urls: dict[str, list[str]], clients: int, seconds: float) -> dict:
    timings: dict[str, list[float]] = {kind: [] for kind in urls}
    errors = 0
    stop_at = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker(seed: int) -> None:
            nonlocal errors
            rng = random.Random(seed)
            kinds = list(urls)
            while time.perf_counter() < stop_at:
                kind = rng.choice(kinds)
                url = rng.choice(urls[kind])
                started = time.perf_counter()
                response = await client.get(url)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    errors += 1
                timings[kind].append(elapsed)

        await asyncio.gather(*(worker(i) for i in range(clients)))
    return {"timings": timings, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--import", dest="do_import", action="store_true")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5)
    args = parser.parse_args()

    env = {**os.environ, "PAPERFEED_DATA_DIR": str(args.data_dir)}
    run = [sys.executable, "-m", "paperfeed"]
    if args.do_import:
        subprocess.run([*run, "import", str(LISTINGS)], env=env, check=True)
    stats = json.loads(
        subprocess.run([*run, "stats", "--json"], env=env, check=True, capture_output=True).stdout
    )
    days = list(stats["by_listing_date"])
    ids = (
        subprocess.run(
            [*run, "shell", "-c",
             "from paperfeed.catalogue.models import Paper;"
             "import random;ids=list(Paper.objects.values_list('arxiv_id', flat=True));"
             "random.seed(1);print('\\n'.join(random.sample(ids, min(2000, len(ids)))))"],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.split()
    )  # fmt: skip
    urls = {
        "daily feed": [f"/?date={d}" for d in days],
        "paper page": [f"/papers/{i}" for i in ids],
        "trending": ["/trending?window=day", "/trending?window=week", "/trending?window=month"],
        "api papers": [f"/api/papers?date={d}&limit=50" for d in days],
    }
    port = free_port()
    server = subprocess.Popen(
        [*run, "serve", "--port", str(port), "--no-schedule", "--no-worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                httpx.get(base + "/", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        asyncio.run(drive(base, urls, args.clients, args.warmup))
        result = asyncio.run(drive(base, urls, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)

    total = sum(len(v) for v in result["timings"].values())
    print(
        f"corpus: {stats['papers']:,} papers, {len(days)} days; {args.clients} clients, "
        f"{args.seconds:.0f} s; server: paperfeed serve ({os.cpu_count()} cores, same machine)"
    )
    print(f"total: {total / args.seconds:,.0f} requests/s, {result['errors']} errors")
    print(f"{'kind':<12} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in result["timings"].items():
        if not values:
            continue
        print(
            f"{kind:<12} {len(values):>9} {len(values) / args.seconds:>8.0f} "
            f"{statistics.median(values) * 1000:>8.1f} {percentile(values, 0.95) * 1000:>8.1f} "
            f"{percentile(values, 0.99) * 1000:>8.1f}"
        )


if __name__ == "__main__":
    main()
