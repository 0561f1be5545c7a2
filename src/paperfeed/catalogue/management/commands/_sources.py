"""What the online-source commands (harvest, fetch, fetch-new) share.

A leading underscore keeps Django from taking this module for a command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.management.base import CommandError

from paperfeed.catalogue.ingest import IngestResult
from paperfeed.sources.problems import SourceProblem
from paperfeed.sources.records import PaperRecord

ON_ERROR_CHOICES = ("stop", "skip")


def papers_or_stop(
    records: Iterable[PaperRecord | SourceProblem],
    on_error: str,
    report: Callable[[str], None],
    what: str = "page",
) -> list[PaperRecord]:
    """The good records of a page. With ``stop``, a bad record raises CommandError
    before anything of the page is written; with ``skip`` it is reported."""
    papers: list[PaperRecord] = []
    for record in records:
        if isinstance(record, SourceProblem):
            if on_error == "stop":
                raise CommandError(
                    f"bad record: {record} — stopped before writing this {what} "
                    "(use --on-error skip to skip bad records)"
                )
            report(f"skipped {record}")
        else:
            papers.append(record)
    return papers


def counts(result: IngestResult) -> str:
    return f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
