"""paperfeed similar ID [--limit N] [--json]"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from paperfeed.search.management.commands.search import _print_hits
from paperfeed.search.similar import PaperNotFound, similar


class Command(BaseCommand):
    help = "Papers nearest in meaning to the given one."

    def add_arguments(self, parser) -> None:
        parser.add_argument("arxiv_id")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        try:
            hits = similar(opts["arxiv_id"], limit=opts["limit"])
        except PaperNotFound as exc:
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(
                json.dumps({"id": opts["arxiv_id"], "results": [h.as_dict() for h in hits]})
            )
            return
        if not hits:
            self.stderr.write("no similar papers yet (try: paperfeed reindex --missing)")
        _print_hits(self.stdout, hits)
