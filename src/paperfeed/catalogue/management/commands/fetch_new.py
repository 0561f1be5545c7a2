"""``paperfeed fetch-new cs.LG cs.CV``: today's announcements from arXiv's RSS listings.

One request for all categories; everything is written in one transaction, dated
with the listing's announcement date, so the daily feed page shows them.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from paperfeed.catalogue.ingest import Ingestor
from paperfeed.catalogue.management.commands._sources import (
    ON_ERROR_CHOICES,
    counts,
    papers_or_stop,
)
from paperfeed.sources.arxiv_rss import ANNOUNCE_TYPES, fetch_listing
from paperfeed.sources.http import PoliteClient
from paperfeed.sources.problems import SourceError

_CATEGORY = re.compile(r"^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?$")


class Command(BaseCommand):
    help = "Read today's arXiv RSS listings for these categories into the catalogue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("categories", nargs="+", metavar="CATEGORY", help="e.g. cs.LG")
        parser.add_argument(
            "--types",
            default=",".join(sorted(ANNOUNCE_TYPES)),
            help="announce types to keep (default: all of new,cross,replace,replace-cross)",
        )
        parser.add_argument("--on-error", choices=ON_ERROR_CHOICES, default="stop")

    def handle(self, *args, categories: list[str], types: str, on_error: str, **options) -> None:
        for category in categories:
            if not _CATEGORY.match(category):
                raise CommandError(f"not an arXiv category: {category!r} (expected e.g. cs.LG)")
        wanted = {t.strip() for t in types.split(",") if t.strip()}
        unknown = wanted - ANNOUNCE_TYPES
        if unknown or not wanted:
            raise CommandError(
                f"unknown announce type(s) {sorted(unknown)}; choose from {sorted(ANNOUNCE_TYPES)}"
            )
        with PoliteClient.from_settings() as client:
            try:
                listing = fetch_listing(client, settings.ARXIV_RSS_URL, categories, wanted)
            except SourceError as exc:  # the cause tells the schedule it may retry
                raise CommandError(str(exc)) from exc
        papers = papers_or_stop(listing.records, on_error, self.stderr.write, what="listing")
        with transaction.atomic():
            result = Ingestor().ingest(papers)
        day = listing.announced.isoformat() if listing.announced else "unknown date"
        for category in categories:
            in_category = [p for p in papers if category in p.categories]
            by_type: dict[str, int] = {}
            for paper in in_category:
                kind = listing.announce_types.get(paper.arxiv_id, "new")
                by_type[kind] = by_type.get(kind, 0) + 1
            detail = ", ".join(f"{n} {kind}" for kind, n in sorted(by_type.items()))
            self.stdout.write(f"{category}: {len(in_category)} papers ({detail or 'none'})")
        self.stdout.write(f"listing of {day}: {len(papers)} papers, {counts(result)}")
