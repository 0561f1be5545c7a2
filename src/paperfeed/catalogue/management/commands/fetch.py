"""``paperfeed fetch 2503.11677 astro-ph/0601001v2`` or ``paperfeed fetch --query ti:x``.

Single papers and small searches through the arXiv API: it is the source that
names exact versions. Every id is checked before any request, so a typo costs
nothing and fetches nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from paperfeed.catalogue.ingest import Ingestor, IngestResult
from paperfeed.catalogue.management.commands._sources import (
    ON_ERROR_CHOICES,
    counts,
    papers_or_stop,
)
from paperfeed.sources.arxiv_api import fetch_ids, search
from paperfeed.sources.http import PoliteClient
from paperfeed.sources.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.sources.problems import SourceError


class Command(BaseCommand):
    help = "Fetch papers by arXiv id, or the results of an arXiv API query, into the catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", metavar="ID", help="arXiv ids, with or without vN")
        parser.add_argument("--query", help='an arXiv API search_query, e.g. "ti:transformer"')
        parser.add_argument("--max", dest="max_results", type=int, default=100)
        parser.add_argument("--start", type=int, default=0)
        parser.add_argument("--page-size", type=int, default=100)
        parser.add_argument("--on-error", choices=ON_ERROR_CHOICES, default="stop")

    def handle(self, *args, **options) -> None:
        ids: list[str] = options["ids"]
        query: str | None = options["query"]
        if bool(ids) == bool(query):
            raise CommandError("give arXiv ids or --query, not both and not neither")
        if options["max_results"] < 1 or options["page_size"] < 1 or options["start"] < 0:
            raise CommandError("--max and --page-size must be at least 1, --start at least 0")
        for raw in ids:
            try:
                parse_arxiv_id(raw)
            except InvalidArxivId as exc:
                raise CommandError(f"{exc}; nothing was fetched") from None
        ingestor = Ingestor()
        total = IngestResult()
        with PoliteClient.from_settings() as client:
            try:
                if ids:
                    total = self._ids(client, ingestor, ids, options["on_error"])
                else:
                    for number, page in enumerate(
                        search(
                            client,
                            settings.ARXIV_API_URL,
                            query or "",
                            start=options["start"],
                            max_results=options["max_results"],
                            page_size=options["page_size"],
                        ),
                        start=1,
                    ):
                        papers = papers_or_stop(
                            page.records, options["on_error"], self.stderr.write
                        )
                        result = ingestor.ingest(papers)  # one transaction a page
                        total.add(result)
                        self.stdout.write(
                            f"page {number}: {len(papers)} records "
                            f"(of {page.total_results} matching), {counts(result)}"
                        )
            except SourceError as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(f"fetched {total.total} papers: {counts(total)}")

    def _ids(
        self, client: PoliteClient, ingestor: Ingestor, ids: list[str], on_error: str
    ) -> IngestResult:
        records = fetch_ids(client, settings.ARXIV_API_URL, ids)
        papers = papers_or_stop(records, on_error, self.stderr.write, what="fetch")
        with transaction.atomic():
            result = ingestor.ingest(papers)
        found = {p.arxiv_id for p in papers}
        for raw in ids:
            if parse_arxiv_id(raw).id not in found:
                self.stderr.write(f"not found at arXiv: {raw}")
        for paper in papers:
            self.stdout.write(f"{paper.arxiv_id}v{paper.latest_version}: {paper.title}")
        return result
