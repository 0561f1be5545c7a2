"""paperfeed reindex [--missing] [--batch-size N]"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand

from paperfeed.search.indexing import DEFAULT_BATCH, reindex


class Command(BaseCommand):
    help = "Rebuild the keyword and vector indexes (or, with --missing, fill the gaps)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--missing", action="store_true", help="only papers not indexed for the current model"
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)

    def handle(self, *args, **opts) -> None:  # type: ignore[no-untyped-def]
        started = time.monotonic()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if sys.stderr.isatty() and (now - last[0] > 2 or done == total):
                last[0] = now
                rate = done / max(now - started, 1e-6)
                sys.stderr.write(f"\r{done}/{total} embedded ({rate:.0f}/s)")
                if done == total:
                    sys.stderr.write("\n")

        result = reindex(
            missing_only=opts["missing"], batch_size=max(1, opts["batch_size"]), progress=progress
        )
        self.stdout.write(
            f"keyword rows {result['keyword']}, embeddings {result['embedded']}, "
            f"stale removed {result['stale_removed']} in {time.monotonic() - started:.1f}s"
        )
