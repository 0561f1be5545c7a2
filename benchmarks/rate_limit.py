"""What counting one hit against a rate limit costs (``ratelimit.limits.hit``).

Every search and every write counts a hit before it does anything else, so the count's
round trips to the database are paid by each of those requests. Three cases, each
``--hits`` times: the same key again (a reader searching within a window), a new key
each time (a reader's first request of a window: the row is created, and windows
long gone are deleted), and eight threads with connections of their own counting one
key at once (hits a second; the total is checked).

    python benchmarks/rate_limit.py [--hits 400] [--postgres]

Needs nothing from ``../shared``: the counters start empty.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THREADS = 8


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def timed(hits: int, who: Callable[[int], str]) -> str:
    from paperfeed.ratelimit.limits import hit

    times = []
    for i in range(hits):
        started = time.perf_counter()
        hit("bench", who(i), "1000000/h")
        times.append(time.perf_counter() - started)
    times.sort()
    return (
        f"median {1000 * statistics.median(times):.2f} ms,"
        f" p95 {1000 * times[int(0.95 * len(times))]:.2f} ms"
    )


def at_once(hits: int) -> str:
    from django.db import connection

    from paperfeed.ratelimit.limits import hit
    from paperfeed.ratelimit.models import Counter

    barrier = threading.Barrier(THREADS)
    totals: list[int] = []

    def run() -> None:
        barrier.wait()
        try:
            for _ in range(hits // THREADS):
                totals.append(hit("bench", "ip:together", "1000000/h").hits)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    stored = Counter.objects.filter(hits__gt=0).order_by("-hits").values_list("hits", flat=True)[0]
    ok = sorted(totals) == list(range(1, len(totals) + 1)) and stored == len(totals)
    return f"{len(totals) / seconds:,.0f} hits a second; every hit counted once: {ok}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hits", type=int, default=400)
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pf-ratelimit-") as tmp:
        work = Path(tmp)
        os.environ["PAPERFEED_DATA_DIR"] = str(work)
        os.environ.pop("DATABASE_URL", None)
        script = [sys.executable, str(ROOT / "scripts/postgres.py")]
        if args.postgres:
            os.environ["DATABASE_URL"] = subprocess.run(
                [*script, "start", str(work / "pg")], capture_output=True, text=True, check=True
            ).stdout.strip()
        try:
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
            import django
            from django.core.management import call_command

            django.setup()
            call_command("migrate", "ratelimit", verbosity=0)
            kind = "PostgreSQL" if args.postgres else "SQLite"
            print(f"{kind}, {args.hits} hits a case ({load()})")
            print(f"  the same key again:  {timed(args.hits, lambda i: 'ip:again')}")
            print(f"  a new key each time: {timed(args.hits, lambda i: f'ip:{i}')}")
            print(f"  {THREADS} threads, one key:  {at_once(args.hits)}")
            print(f"({load()})")
        finally:
            if args.postgres:
                from django.db import connections

                connections.close_all()
                subprocess.run([*script, "stop", str(work / "pg")], capture_output=True)


if __name__ == "__main__":
    main()
