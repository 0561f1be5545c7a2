"""Trending at scale: the real corpus, 10,000 accounts and 1,000,000 votes.

    python benchmarks/trending.py [--votes 1000000] [--accounts 10000] [--requests 60]

Uses a fresh data directory (SQLite unless DATABASE_URL is set), imports the
74,728-paper listings file, bulk-inserts accounts and votes (each paper gets a
Pareto-distributed popularity; votes are dated between its announcement and the
end of the corpus), then prints:
- the time to recompute every cached trending row (``paperfeed trending recompute``);
- the ranking function alone, and the trending page through the Django test client
  for a signed-in reader (no page cache: the page carries their own votes) and for
  anonymous readers (served from the page cache after the first build), p50/p95
  over repeated requests for each window;
- the cost of one vote (the write path).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchdata import LISTINGS, require_listings  # this folder is on sys.path

REPO = Path(__file__).resolve().parents[1]
WINDOWS = ("day", "week", "month")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - started:.1f} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--file", type=Path, default=LISTINGS)
    args = parser.parse_args()
    require_listings(args.file)

    os.environ["PAPERFEED_DATA_DIR"] = tempfile.mkdtemp(prefix="paperfeed-bench-trending-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client records templates; locmem email
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.RATELIMIT_ENABLED = False
    print(f"database: {connection.vendor}, data dir {os.environ['PAPERFEED_DATA_DIR']}")
    call_command("migrate", verbosity=0)
    timed("import corpus", lambda: call_command("import", str(args.file), verbosity=0))

    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from paperfeed.catalogue.models import Paper
    from paperfeed.community import state
    from paperfeed.community.models import Vote
    from paperfeed.community.votes import cast, retract
    from paperfeed.trending.ranking import trending_papers

    papers = list(Paper.objects.values_list("pk", "announced"))
    print(f"papers: {len(papers)}")
    password = make_password("benchmark password")

    def accounts() -> None:
        User.objects.bulk_create(
            [
                User(username=f"u{i}@example.org", email=f"u{i}@example.org", password=password)
                for i in range(args.accounts)
            ],
            batch_size=2000,
        )

    timed(f"create {args.accounts} accounts", accounts)
    user_ids = list(User.objects.values_list("pk", flat=True))

    rng = random.Random(42)
    last_day = max(a for _, a in papers if a)
    popularity = [rng.paretovariate(1.2) for _ in papers]
    total = sum(popularity)
    assert args.votes <= len(papers) * len(user_ids)

    def votes() -> int:
        rows = []
        written = 0
        sql = "INSERT INTO community_vote (user_id, paper_id, created_at) VALUES (%s, %s, %s)"
        end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        with connection.cursor() as cursor:
            cap = len(user_ids)
            counts = [min(cap, int(args.votes * w / total)) for w in popularity]
            # what the cap and the rounding left out goes to the most popular papers
            # that still have voters to spare, one vote each, until the total is exact
            order = sorted(range(len(papers)), key=lambda i: -popularity[i])
            missing = args.votes - sum(counts)
            while missing > 0:
                for i in order:
                    if counts[i] < cap:
                        counts[i] += 1
                        missing -= 1
                        if not missing:
                            break
            for (pk, announced), n in zip(papers, counts, strict=True):
                if not n:
                    continue
                start = dt.datetime.combine(announced or last_day, dt.time(), tzinfo=dt.UTC)
                span = max((end - start).total_seconds(), 3600.0)
                for user in rng.sample(user_ids, n):
                    # most votes come in the first days after the announcement
                    when = start + dt.timedelta(seconds=min(span, rng.expovariate(1 / 172800)))
                    rows.append((user, pk, when))
                if len(rows) >= 50_000:
                    with transaction.atomic():
                        cursor.executemany(sql, rows)
                    written += len(rows)
                    rows = []
            with transaction.atomic():
                cursor.executemany(sql, rows)
            written += len(rows)
        return written

    written = timed(f"insert ~{args.votes} votes", votes)
    print(f"votes: {written} ({Vote.objects.count()} rows)")
    recompute = []
    for _ in range(2):
        started = time.perf_counter()
        state.recompute()
        recompute.append(time.perf_counter() - started)
    print(f"recompute all trending rows: {min(recompute):.2f} s (best of 2)")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")

    print(f"\n{'':24} {'p50 ms':>8} {'p95 ms':>8}")

    def measure(label: str, fn) -> None:  # type: ignore[no-untyped-def]
        fn()  # warm
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        print(f"{label:24} {statistics.median(times):8.1f} {pct(times, 0.95):8.1f}", flush=True)

    for window in WINDOWS:
        measure(f"ranking {window}", lambda w=window: trending_papers(w, limit=50))

    reader = User.objects.get(username="u1@example.org")
    signed_in = Client()
    signed_in.force_login(reader)
    anonymous = Client()
    for window in WINDOWS:

        def page(w=window, c=signed_in) -> None:  # type: ignore[no-untyped-def]
            response = c.get(f"/trending?window={w}")
            assert response.status_code == 200, response.status_code

        measure(f"page {window} (signed in)", page)
    for window in WINDOWS:

        def cached(w=window) -> None:  # type: ignore[no-untyped-def]
            assert anonymous.get(f"/trending?window={w}").status_code == 200

        measure(f"page {window} (anonymous)", cached)
    for window in WINDOWS:
        measure(
            f"api {window}",
            lambda w=window: anonymous.get(f"/api/trending?window={w}"),
        )

    target = Paper.objects.order_by("-announced").first()
    voter = User.objects.get(username="u2@example.org")
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        cast(voter, target)
        retract(voter, target)
        times.append((time.perf_counter() - started) * 1000 / 2)
    print(f"{'vote or unvote':24} {statistics.median(times):8.1f} {pct(times, 0.95):8.1f}")


if __name__ == "__main__":
    main()
