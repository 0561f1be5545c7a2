"""Pick the reader for a file given to ``paperfeed import``."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

from paperfeed.sources.problems import SourceError, SourceProblem
from paperfeed.sources.records import PaperRecord


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
