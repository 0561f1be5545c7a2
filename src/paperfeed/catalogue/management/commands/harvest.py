"""``paperfeed harvest --set cs --from 2026-11-01``: bulk metadata over OAI-PMH, resumable.

Each page is written in one transaction together with the resumption token that
follows it, so after a crash, Ctrl-C or an HTTP error the same command carries
on from the last stored page and never writes half a page.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from paperfeed.catalogue.ingest import Ingestor, IngestResult
from paperfeed.catalogue.management.commands._sources import (
    ON_ERROR_CHOICES,
    counts,
    papers_or_stop,
)
from paperfeed.catalogue.models import HarvestState
from paperfeed.progress import add_quiet_argument, command_progress
from paperfeed.sources.arxiv_oai import harvest_pages
from paperfeed.sources.http import PoliteClient
from paperfeed.sources.problems import SourceError

SOURCE = "arxiv-oai"


def scope_key(set_spec: str, from_date: str, until_date: str, metadata_prefix: str) -> str:
    """The HarvestState scope: a run with the same arguments resumes this row."""
    return f"set={set_spec} from={from_date} until={until_date} format={metadata_prefix}"


def _date(value: str | None, option: str) -> str:
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a date (expected YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Harvest arXiv metadata over OAI-PMH (resumable: run again to continue)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--set", dest="set_spec", default="", help="e.g. cs, physics:hep-th")
        parser.add_argument("--from", dest="from_date", default="", help="YYYY-MM-DD")
        parser.add_argument("--until", dest="until_date", default="", help="YYYY-MM-DD")
        parser.add_argument(
            "--format", dest="metadata_prefix", choices=["arXiv", "oai_dc"], default="arXiv"
        )
        parser.add_argument(
            "--restart", action="store_true", help="forget stored progress and start over"
        )
        parser.add_argument(
            "--on-error",
            choices=ON_ERROR_CHOICES,
            default="stop",
            help="stop (default): stop before writing a page with a bad record; skip: report it",
        )
        add_quiet_argument(parser)

    def handle(self, *args, **options) -> None:
        set_spec = options["set_spec"]
        from_date = _date(options["from_date"], "--from")
        until_date = _date(options["until_date"], "--until")
        prefix = options["metadata_prefix"]
        scope = scope_key(set_spec, from_date, until_date, prefix)
        state, _ = HarvestState.objects.get_or_create(source=SOURCE, scope=scope)
        if options["restart"]:
            state.resumption_token = ""
            state.cursor = 0
            state.complete_list_size = None
            state.records_seen = 0
            state.finished = False
            state.save()
        elif state.finished:
            self.stdout.write(f"harvest {scope} already finished (use --restart to run it again)")
            return
        token = state.resumption_token or None
        if token:
            self.stdout.write(
                f"resuming harvest {scope} at record {state.cursor} "
                f"({state.records_seen} records seen before)"
            )
        total = IngestResult()
        pages = 0
        ingestor = Ingestor()
        progress = command_progress(
            self,
            "harvest",
            options,
            total=state.complete_list_size,
            unit="records",
            initial=state.records_seen,
        )
        with PoliteClient.from_settings() as client, progress:
            try:
                for page in harvest_pages(
                    client,
                    settings.ARXIV_OAI_URL,
                    set_spec or None,
                    from_date or None,
                    until_date or None,
                    metadata_prefix=prefix,
                    resumption_token=token,
                ):
                    papers = papers_or_stop(
                        page.records,
                        options["on_error"],
                        lambda line: progress.write(line, self.stderr),
                    )
                    for identifier in page.deleted:
                        progress.write(
                            f"deleted at arXiv (not removed here): {identifier}", self.stderr
                        )
                    with transaction.atomic():
                        result = ingestor.ingest(papers)
                        state.resumption_token = page.resumption_token or ""
                        if page.cursor is not None:
                            state.cursor = page.cursor + len(page.records) + len(page.deleted)
                        if page.complete_list_size is not None:
                            state.complete_list_size = page.complete_list_size
                        state.records_seen += len(page.records) + len(page.deleted)
                        state.finished = not page.resumption_token
                        state.save()
                    pages += 1
                    total.add(result)
                    of = f"/{state.complete_list_size}" if state.complete_list_size else ""
                    progress.write(
                        f"page {pages}: {len(papers)} records ({counts(result)}), "
                        f"{state.records_seen}{of} seen",
                        self.stdout,
                    )
                    progress.report(state.records_seen, state.complete_list_size)
            except SourceError as exc:
                raise CommandError(
                    f"{exc} — progress is saved after {pages} page(s) of this run; "
                    "run the same command again to resume"
                ) from None
            except KeyboardInterrupt:
                raise CommandError(
                    f"interrupted after {pages} page(s) of this run; "
                    "run the same command again to resume"
                ) from None
        self.stdout.write(f"harvest finished: {pages} page(s), {counts(total)}")
