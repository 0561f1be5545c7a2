"""``paperfeed trending recompute``: rebuild every paper's community state (the
totals trending ranks by) from the vote, submission, curation and star tables;
``paperfeed trending show week``."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from paperfeed.community import state
from paperfeed.trending.ranking import WINDOWS, as_ranked, trending_papers


class Command(BaseCommand):
    help = "Trending scores: recompute the cached parts, or show a window's ranking."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("recompute", help="rebuild every paper's cached votes, stars and points")
        show = sub.add_parser("show", help="print a window's ranking with the score's parts")
        show.add_argument("window", choices=list(WINDOWS), nargs="?", default="week")
        show.add_argument("--limit", type=int, default=20)

    def handle(self, *args, **options) -> None:
        if options["action"] == "recompute":
            started = time.perf_counter()
            written = state.recompute()
            self.stdout.write(
                f"recomputed {written} trending rows in {time.perf_counter() - started:.2f} s"
            )
            return
        for rank, paper in enumerate(
            trending_papers(options["window"], limit=options["limit"]), start=1
        ):
            p = as_ranked(paper).trending
            self.stdout.write(
                f"{rank:3} {p.score:9.5f}  {p.votes:4} votes  +{p.stars_gained} stars  "
                f"{p.age_hours:6.1f} h  {paper.arxiv_id}  {paper.title[:60]}"
            )
