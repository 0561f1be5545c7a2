"""``paperfeed import PATH...``: snapshot / listings / export JSONL (plain or gzipped)
and saved arXiv XML (API, OAI-PMH, RSS)."""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from paperfeed.catalogue.importer import ImportStopped, ImportSummary, OnError, import_records
from paperfeed.catalogue.ingest import Ingestor
from paperfeed.progress import Progress, add_quiet_argument, command_progress
from paperfeed.sources.files import count_records, read_file
from paperfeed.sources.problems import SourceError, SourceProblem


def _advance(bar: Progress, summary: ImportSummary) -> None:
    bar.update(summary.result.total + len(summary.problems))


def _skipped(bar: Progress, stream: Any, problem: SourceProblem) -> None:
    bar.write(f"skipped {problem}", stream)


class Command(BaseCommand):
    help = "Import papers from files: arXiv snapshot/listings/export JSONL (.gz too) or saved XML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--on-error",
            choices=[e.value for e in OnError],
            default=OnError.STOP.value,
            help="stop (default): stop before the batch holding a bad record is written; "
            "skip: report bad records and go on",
        )
        parser.add_argument("--batch-size", type=int, default=1000)
        add_quiet_argument(parser)

    def handle(self, *args, paths: list[str], on_error: str, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        ingestor = Ingestor()
        total = ImportSummary()
        started = time.perf_counter()
        for path in paths:
            summary = ImportSummary()
            progress = command_progress(
                self, f"import {path}", options, total=count_records(path), unit="records"
            )
            try:
                with progress:
                    import_records(
                        read_file(path),
                        on_error=OnError(on_error),
                        batch_size=batch_size,
                        ingestor=ingestor,
                        summary=summary,
                        progress=partial(_advance, progress),
                        report=partial(_skipped, progress, self.stderr),
                    )
            except ImportStopped as stop:
                self._report(path, stop.summary)
                raise CommandError(
                    f"{stop.problem} — stopped before writing that batch "
                    f"({stop.summary.result.total} records before it were stored; "
                    "use --on-error skip to skip bad records)"
                ) from None
            except SourceError as exc:  # the file could not be opened at all
                raise CommandError(str(exc)) from None
            except DatabaseError as exc:  # the batch was rolled back whole
                done = summary.result.total
                raise CommandError(
                    f"{path}: the database refused the batch after record {done} "
                    f"(batch of {batch_size}; nothing of it was written): {exc}"
                ) from None
            self._report(path, summary)
            total.result.add(summary.result)
            total.problems.extend(summary.problems)
        elapsed = time.perf_counter() - started
        result = total.result
        rate = result.total / elapsed if elapsed else 0
        self.stdout.write(
            f"done: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {len(total.problems)} skipped "
            f"in {elapsed:.1f} s ({rate:,.0f} records/s)"
        )

    def _report(self, path: str, summary: ImportSummary) -> None:
        r = summary.result
        self.stdout.write(
            f"{path}: {r.created} created, {r.updated} updated, {r.unchanged} unchanged, "
            f"{len(summary.problems)} skipped"
        )
