"""Run a stream of parsed records into the catalogue in batches.

The reading (sources) and the writing (ingest) stay separate; this module only
decides what happens to bad input: ``stop`` raises before the batch holding the
bad record is written (earlier batches stay committed), ``skip`` reports it and
goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from paperfeed.catalogue.ingest import Ingestor, IngestResult
from paperfeed.sources.problems import SourceError, SourceProblem
from paperfeed.sources.records import PaperRecord


class OnError(StrEnum):
    STOP = "stop"
    SKIP = "skip"


@dataclass
class ImportSummary:
    result: IngestResult = field(default_factory=IngestResult)
    problems: list[SourceProblem] = field(default_factory=list)
    batches: int = 0


class ImportStopped(Exception):
    """Bad input under ``--on-error stop``; ``summary`` says what was written before it."""

    def __init__(self, problem: SourceProblem, summary: ImportSummary) -> None:
        super().__init__(str(problem))
        self.problem = problem
        self.summary = summary


def _items(
    stream: Iterable[PaperRecord | SourceProblem],
) -> Iterator[PaperRecord | SourceProblem | SourceError]:
    """The stream, with a fatal read error turned into a last item."""
    try:
        yield from stream
    except SourceError as exc:
        yield exc


def import_records(
    stream: Iterable[PaperRecord | SourceProblem],
    *,
    on_error: OnError = OnError.STOP,
    batch_size: int = 1000,
    ingestor: Ingestor | None = None,
    summary: ImportSummary | None = None,
    progress: Callable[[ImportSummary], None] | None = None,
    report: Callable[[SourceProblem], None] | None = None,
) -> ImportSummary:
    ingestor = ingestor or Ingestor()
    summary = summary or ImportSummary()
    batch: list[PaperRecord] = []

    def flush() -> None:
        if batch:
            summary.result.add(ingestor.ingest(batch))
            summary.batches += 1
            batch.clear()
            if progress:
                progress(summary)

    for item in _items(stream):
        if isinstance(item, PaperRecord):
            batch.append(item)
            if len(batch) >= batch_size:
                flush()
            continue
        problem = item.problem if isinstance(item, SourceError) else item
        if on_error is OnError.STOP:
            raise ImportStopped(problem, summary)
        summary.problems.append(problem)
        if report:
            report(problem)
    flush()
    return summary
