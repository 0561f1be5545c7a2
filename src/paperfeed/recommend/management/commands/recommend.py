"""paperfeed recommend --like ID... [--dislike ID...] [--since D] [--until D] [--limit N] [--json]

``paperfeed recommend -`` reads JSON lines ``{"like": [...], "dislike": [...]}`` (also
``since``, ``until``, ``limit``) and writes one JSON line per input line, in order:
``{"results": [{"id", "score", "reason"}]}``, or ``{"error": "..."}`` for a line it
refuses (the command then exits with status 1 after the last line). Without
``--since``/``--until`` the whole catalogue is ranked; liked and disliked papers are
never returned.
"""

from __future__ import annotations

import argparse
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from paperfeed.recommend.stateless import BadRequest, Query, parse_date, query_from, run


def _date(text: str):
    try:
        return parse_date(text, "date")
    except BadRequest as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class Command(BaseCommand):
    help = "Recommend papers like the given ones (stateless: nothing is stored)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("stdin", nargs="?", choices=["-"], help="'-': JSON lines on stdin")
        parser.add_argument("--like", nargs="+", default=[], metavar="ID")
        parser.add_argument("--dislike", nargs="+", default=[], metavar="ID")
        parser.add_argument("--since", type=_date, help="announced on or after (YYYY-MM-DD)")
        parser.add_argument("--until", type=_date, help="announced on or before (YYYY-MM-DD)")
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--json", action="store_true", help="one JSON line")

    def handle(self, *args, **opts) -> None:
        if opts["stdin"] == "-":
            self._lines()
            return
        query = Query(
            tuple(opts["like"]),
            tuple(opts["dislike"]),
            opts["since"],
            opts["until"],
            opts["limit"],
        )
        try:
            found = run(query)
        except BadRequest as exc:
            raise CommandError(str(exc)) from None
        if opts["json"]:
            self.stdout.write(json.dumps({"results": [r.as_dict() for r in found]}))
            return
        if not found:
            self.stdout.write("no recommendations (are the liked papers embedded yet?)")
        for rank, rec in enumerate(found, start=1):
            title = " ".join(rec.title.split())
            self.stdout.write(f"{rank:3d}. {rec.arxiv_id:<16} {rec.score:7.3f}  {title[:90]}")
            for reason in rec.reasons:
                self.stdout.write(f"       {reason}")

    def _lines(self) -> None:
        failed = 0
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                found = run(query_from(json.loads(line)))
                out: dict = {"results": [r.as_dict() for r in found]}
            except json.JSONDecodeError as exc:
                out = {"error": f"line {number}: not JSON: {exc.msg}"}
            except BadRequest as exc:
                out = {"error": f"line {number}: {exc}"}
            failed += "error" in out
            self.stdout.write(json.dumps(out))
            self.stdout.flush()
        if failed:
            raise CommandError(f"{failed} line(s) refused")
