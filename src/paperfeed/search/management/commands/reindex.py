"""paperfeed reindex [--missing] [--batch-size N]"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from paperfeed.progress import add_quiet_argument, command_progress
from paperfeed.search.indexing import DEFAULT_BATCH, reindex


class Command(BaseCommand):
    help = "Rebuild the keyword and vector indexes (or, with --missing, fill the gaps)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--missing", action="store_true", help="only papers not indexed for the current model"
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
        add_quiet_argument(parser)

    def handle(self, *args, **opts) -> None:
        started = time.monotonic()
        with command_progress(self, "embed", opts) as bar:
            result = reindex(
                missing_only=opts["missing"],
                batch_size=max(1, opts["batch_size"]),
                progress=bar.report,
            )
        self.stdout.write(
            f"keyword rows {result['keyword']}, embeddings {result['embedded']}, "
            f"stale removed {result['stale_removed']}, pgvector filled {result['pgvector_filled']}"
            f" in {time.monotonic() - started:.1f}s"
        )
