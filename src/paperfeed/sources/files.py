"""Pick the reader for a file given to ``paperfeed import``."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

from paperfeed.sources.problems import SourceError, SourceProblem
from paperfeed.sources.records import PaperRecord


def count_records(path: str | Path) -> int | None:
    """How many records a JSONL file holds (its non-blank lines), for progress; None
    for XML or a file that can't be read (``read_file`` then says what is wrong)."""
    path = Path(path)
    try:
        with open(path, "rb") as probe:
            zipped = probe.read(2) == b"\x1f\x8b"
        with gzip.open(path, "rb") if zipped else open(path, "rb") as data:
            first = data.read(64).lstrip()[:1]
            if first in (b"", b"<"):
                return None
            data.seek(0)
            return sum(1 for line in data if line.strip())
    except (OSError, EOFError):
        return None


def read_file(path: str | Path) -> Iterator[PaperRecord | SourceProblem]:
    """Records from a JSONL (plain or gzipped) or a saved arXiv XML response."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(str(path), "no such file")
    with open(path, "rb") as probe:
        head = probe.read(2)
        if head == b"\x1f\x8b":
            try:
                with gzip.open(path, "rb") as unzipped:
                    head = unzipped.read(64).lstrip()[:1]
            except (OSError, EOFError) as exc:
                raise SourceError(str(path), f"cannot read gzip ({exc})") from exc
        else:
            probe.seek(0)
            head = probe.read(64).lstrip()[:1]
    if head == b"<":
        from paperfeed.sources.xmlfiles import read_xml

        return read_xml(path)
    from paperfeed.sources.jsonl import read_jsonl

    return read_jsonl(path)
