"""``paperfeed export [-o FILE]``: every paper as JSONL that ``paperfeed import`` reads
back to the same catalogue (a back-up format independent of the database)."""

from __future__ import annotations

import contextlib
import gzip
import json
import sys

from django.core.management.base import BaseCommand, CommandParser

from paperfeed.catalogue.ingest import load_records
from paperfeed.catalogue.models import Paper
from paperfeed.progress import add_quiet_argument, command_progress


class Command(BaseCommand):
    help = "Export the catalogue as JSONL (gzipped when the file name ends in .gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", default="-", help="file (default: standard output)")
        parser.add_argument("--category", help="only papers in this category")
        parser.add_argument("--batch-size", type=int, default=2000)
        add_quiet_argument(parser)

    def handle(self, *args, output: str, category: str | None, batch_size: int, **opts) -> None:
        papers = Paper.objects.order_by("id")
        if category:
            papers = papers.filter(categories__code=category)
        ids = list(papers.values_list("id", "arxiv_id"))
        with contextlib.ExitStack() as stack:
            progress = stack.enter_context(command_progress(self, "export", opts, total=len(ids)))
            if output == "-":
                out = sys.stdout
            elif output.endswith(".gz"):
                out = stack.enter_context(gzip.open(output, "wt", encoding="utf-8"))
            else:
                out = stack.enter_context(open(output, "w", encoding="utf-8"))
            for start in range(0, len(ids), batch_size):
                chunk = [arxiv_id for _, arxiv_id in ids[start : start + batch_size]]
                stored = load_records(chunk)
                for arxiv_id in chunk:
                    record = stored[arxiv_id][1]
                    out.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
                progress.advance(len(chunk))
        if output != "-":
            self.stderr.write(f"exported {len(ids)} papers to {output}")
