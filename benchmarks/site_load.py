"""Load test of the production server: pages and API under concurrent clients.

    python benchmarks/site_load.py --data-dir DIR [--clients 16] [--seconds 20]

DIR must hold a catalogue (``PAPERFEED_DATA_DIR=DIR paperfeed import
../shared/data/arxiv/cs-listings-2025-03_2026-07.jsonl.gz``); ``--import`` does that
first. The script starts ``paperfeed serve`` on a free loopback port, then drives it
from this second process with N concurrent clients (asyncio, keep-alive HTTP/1.1 connections), each
request picking a page of a kind at random: the daily feed of a random announcement
day, a random paper page, trending (day/week/month), the API list of a random day.
It runs two phases and prints requests per second and p50/p95/p99 latency per kind
for each:

- cold: every distinct URL once, in random order (each page rendered for the first
  time: the page cache is emptied before the server starts);
- warm: random URLs for ``--seconds`` (pages already rendered once, as on a site
  that has been up for a while, where readers mostly open pages others opened).

It also prints the client's own CPU per request: the clients share the 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from benchdata import require_data_dir, require_listings  # this folder is on sys.path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Connection:
    """A minimal keep-alive HTTP/1.1 client for GETs.

    httpx spent 3 to 4 ms of CPU a request here, on the same 2 cores as the server:
    the load generator was slowing the server it measured. This writes the request
    line and reads the status, the headers and a Content-Length (or chunked) body,
    for about a tenth of that."""

    def __init__(self, host: str, port: int, forwarded_for: str = "") -> None:
        self.host, self.port = host, port
        # As a reverse proxy adds it: the reader's own address (``client_ip``).
        self.extra = f"X-Forwarded-For: {forwarded_for}\r\n" if forwarded_for else ""
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.headers: dict[str, str] = {}  # the last response's, names in lower case

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.extra}\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        if headers.get("connection") == "close":
            self.writer.close()
            self.writer = None
        self.headers = headers
        return status


async def drive(
    base: str, urls: dict[str, list[str]], clients: int, seconds: float, once: bool = False
) -> dict:
    """Random URLs for ``seconds``, or (``once``) each URL exactly once."""
    timings: dict[str, list[float]] = {kind: [] for kind in urls}
    errors = 0
    queue = [(kind, url) for kind, items in urls.items() for url in items]
    random.Random(0).shuffle(queue)
    stop_at = time.perf_counter() + seconds
    cpu_before = time.process_time()
    started_all = time.perf_counter()

    host, port = base.removeprefix("http://").split(":")

    async def worker(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        kinds = list(urls)
        connection = Connection(host, int(port))
        while True:
            if once:
                if not queue:
                    return
                kind, url = queue.pop()
            else:
                if time.perf_counter() >= stop_at:
                    return
                kind = rng.choice(kinds)
                url = rng.choice(urls[kind])
            started = time.perf_counter()
            status = await connection.get(url)
            elapsed = time.perf_counter() - started
            if status != 200:
                errors += 1
            timings[kind].append(elapsed)

    await asyncio.gather(*(worker(i) for i in range(clients)))
    return {
        "timings": timings,
        "errors": errors,
        "seconds": time.perf_counter() - started_all,
        "client_cpu": time.process_time() - cpu_before,
    }


def report(title: str, result: dict) -> None:
    total = sum(len(v) for v in result["timings"].values())
    seconds = result["seconds"]
    client_ms = result["client_cpu"] / max(total, 1) * 1000
    print(
        f"\n{title}: {total:,} requests in {seconds:.1f} s, {total / seconds:,.0f} requests/s, "
        f"{result['errors']} errors; client CPU {client_ms:.2f} ms a request"
    )
    print(f"{'kind':<12} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, values in result["timings"].items():
        if not values:
            continue
        print(
            f"{kind:<12} {len(values):>9} {len(values) / seconds:>8.0f} "
            f"{statistics.median(values) * 1000:>8.1f} {percentile(values, 0.95) * 1000:>8.1f} "
            f"{percentile(values, 0.99) * 1000:>8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--import", dest="do_import", action="store_true")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=0, help="web processes (default: serve's)")
    args = parser.parse_args()

    env = {**os.environ, "PAPERFEED_DATA_DIR": str(args.data_dir)}
    run = [sys.executable, "-m", "paperfeed"]
    if args.do_import:
        subprocess.run([*run, "import", str(require_listings())], env=env, check=True)
    else:
        require_data_dir(args.data_dir, "an imported catalogue (or pass --import)")
    stats = json.loads(
        subprocess.run([*run, "stats", "--json"], env=env, check=True, capture_output=True).stdout
    )
    days = list(stats["by_listing_date"])
    ids = (
        subprocess.run(
            [*run, "shell", "--verbosity", "0", "-c",
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
    shutil.rmtree(args.data_dir / "cache" / "pages", ignore_errors=True)
    port = free_port()
    workers = ["--workers", str(args.workers)] if args.workers else []
    server = subprocess.Popen(
        [*run, "serve", "--port", str(port), "--no-schedule", "--no-worker", *workers],
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
        cold = asyncio.run(drive(base, urls, args.clients, 0, once=True))
        warm = asyncio.run(drive(base, urls, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"corpus: {stats['papers']:,} papers, {len(days)} days, {len(ids):,} paper pages; "
        f"{args.clients} clients; server: paperfeed serve ({os.cpu_count()} cores, same machine)"
    )
    report("cold (every URL once, first render)", cold)
    report(f"warm (random URLs for {args.seconds:.0f} s)", warm)


if __name__ == "__main__":
    main()
