"""paperfeed search QUERY [--mode keyword|semantic|hybrid] [--limit N] [--json]

With QUERY ``-`` (or no QUERY and standard input not a terminal), reads one query a
line and writes one JSON line per query: {"query": ..., "results": [{"id", "score"}]}.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from paperfeed.catalogue.models import Paper
from paperfeed.search.filters import Filters
from paperfeed.search.hybrid import MODES, search
from paperfeed.search.status import coverage


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = "Search the catalogue by keyword, meaning or both."

    def add_arguments(self, parser) -> None:
        parser.add_argument("query", nargs="?", help="the query; '-' reads one a line from stdin")
        parser.add_argument("--mode", choices=MODES, default="hybrid")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--offset", type=int, default=0)
        parser.add_argument("--category", action="append", default=[], help="e.g. cs.CL or cs")
        parser.add_argument("--from", dest="date_from", type=_date, help="announced on or after")
        parser.add_argument("--to", dest="date_to", type=_date, help="announced on or before")
        parser.add_argument("--json", action="store_true", help="JSON output")

    def handle(self, *args, **opts) -> None:
        filters = Filters(tuple(opts["category"]), opts["date_from"], opts["date_to"])
        query = opts["query"]
        kwargs = {
            "mode": opts["mode"],
            "filters": filters,
            "limit": opts["limit"],
            "offset": opts["offset"],
        }
        if query == "-" or (query is None and not sys.stdin.isatty()):
            for line in sys.stdin:
                text = line.rstrip("\r\n")
                if not text.strip():
                    continue
                hits = search(text, **kwargs)
                self.stdout.write(
                    json.dumps({"query": text, "results": [h.as_dict() for h in hits]})
                )
                self.stdout.flush()
            return
        if query is None:
            raise CommandError("give a query, or '-' to read queries from standard input")
        hits = search(query, **kwargs)
        notice = coverage().notice if opts["mode"] != "keyword" else None
        if notice:  # on stderr: the results on stdout stay machine-readable
            self.stderr.write(f"note: {notice}")
        if opts["json"]:
            self.stdout.write(json.dumps({"query": query, "results": [h.as_dict() for h in hits]}))
            return
        _print_hits(self.stdout, hits)


def _print_hits(out, hits) -> None:
    titles = dict(
        Paper.objects.filter(id__in=[h.paper_id for h in hits]).values_list("id", "title")
    )
    if not hits:
        out.write("no results")
    for rank, hit in enumerate(hits, start=1):
        title = " ".join(titles.get(hit.paper_id, "").split())
        out.write(f"{rank:3d}. {hit.arxiv_id:<16} {hit.score:8.4f}  {title[:90]}")
