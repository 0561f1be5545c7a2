"""The ranked daily feed on the real corpus: what ranking a whole day, week or month costs.

    PAPERFEED_DATA_DIR=DIR paperfeed import \
        ../shared/data/arxiv/cs-listings-2025-03_2026-07.jsonl.gz
    python benchmarks/feed_pages.py --data-dir DIR [--requests 20]

Renders the feed's views of the busiest announcement day and of its month through the
Django test client, with the page cache emptied before each request (what the first
anonymous visitor after a vote pays; later ones get the cached page), and prints p50 /
p95 wall time and CPU seconds per render, the papers ranked, the corpus size and the
load average. It also times the ranking read alone (``ranking.entries``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from benchdata import require_data_dir  # this folder is on sys.path

REPO = Path(__file__).resolve().parents[1]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(fn, requests: int) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """p50 and p95 wall milliseconds and the mean CPU milliseconds of ``fn``."""
    fn()  # warm: templates compiled, caches of catalogue aggregates filled
    walls, cpus = [], []
    for _ in range(requests):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), pct(walls, 0.95), statistics.fmean(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    require_data_dir(args.data_dir, "the listings corpus imported (paperfeed import)")

    os.environ["PAPERFEED_DATA_DIR"] = str(args.data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment

    from paperfeed.catalogue.models import Paper
    from paperfeed.web import queries, ranking
    from paperfeed.web.daily import span_bounds
    from paperfeed.web.responses import clear_page_cache

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    papers = Paper.objects.count()
    day, in_day = (
        Paper.objects.values_list("announced")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("announced", "n")
        .first()
    )
    print(f"database: {connection.vendor}; papers: {papers}; busiest day {day}: {in_day} papers")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    client = Client()

    def page(url: str):  # type: ignore[no-untyped-def]
        def get() -> None:
            clear_page_cache()
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    print(f"{'what':44} {'ranked':>7} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8}")
    for span in ("day", "week", "month"):
        first, last = span_bounds(day, span)
        in_span = queries.visible_papers().filter(announced__gte=first, announced__lte=last)
        ranked = in_span.count()
        p50, p95, cpu = measure(
            lambda q=in_span, a=first, b=last: ranking.entries(q, a, b), args.requests
        )
        print(f"{'ranking.entries, ' + span:44} {ranked:7} {p50:8.1f} {p95:8.1f} {cpu:8.1f}")
        for query in ("", "&show=all", "&show=all&view=list"):
            url = f"/?date={day}&span={span}{query}"
            p50, p95, cpu = measure(page(url), args.requests)
            print(f"{url:44} {ranked:7} {p50:8.1f} {p95:8.1f} {cpu:8.1f}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
