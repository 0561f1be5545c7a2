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

        tty = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            # A live counter on a terminal; a line a minute into a log file.
            now = time.monotonic()
            if now - last[0] > (2 if tty else 60) or done == total:
                last[0] = now
                rate = done / max(now - started, 1e-6)
                line = f"{done}/{total} embedded ({rate:.1f}/s)"
                sys.stderr.write(f"\r{line}" if tty else f"{line}\n")
                if tty and done == total:
                    sys.stderr.write("\n")
                sys.stderr.flush()

        result = reindex(
            missing_only=opts["missing"], batch_size=max(1, opts["batch_size"]), progress=progress
        )
        self.stdout.write(
            f"keyword rows {result['keyword']}, embeddings {result['embedded']}, "
            f"stale removed {result['stale_removed']}, pgvector filled {result['pgvector_filled']}"
            f" in {time.monotonic() - started:.1f}s"
        )
