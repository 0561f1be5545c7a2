"""How sources report bad input: always with where it is and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceProblem:
    """One bad record: the reader goes on after it (``--on-error skip`` can skip it)."""

    location: str  # "path/to/file.jsonl:12" or "page.xml record 3 (oai:arXiv.org:2101.0001)"
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class SourceError(Exception):
    """Input that cannot be read on from this point (invalid XML, truncated gzip, HTTP error)."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message

    @property
    def problem(self) -> SourceProblem:
        return SourceProblem(self.location, self.message)


class SourceUnreachable(SourceError):
    """The source gave no answer (no connection, timeouts, 5xx) after every retry: the
    same request may well work later, unlike a bad answer."""
