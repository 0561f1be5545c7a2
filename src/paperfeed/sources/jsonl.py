"""JSON-lines files: the public arXiv metadata snapshot, the daily-listings dump in
``shared/data/arxiv/``, and paperfeed's own export. Plain or gzipped; the format is
recognised line by line from the keys, so concatenated dumps also import."""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paperfeed.sources.ids import InvalidArxivId
from paperfeed.sources.problems import SourceError, SourceProblem
from paperfeed.sources.records import Author, PaperRecord, Version


def _open(path: Path):
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def read_jsonl(path: str | Path, limit: int | None = None) -> Iterator[PaperRecord | SourceProblem]:
    """Yield a record (or a problem naming ``file:line``) for each line.

    Raises SourceError when the file cannot be read on (truncated gzip, bad bytes),
    after yielding everything before that point.
    """
    path = Path(path)
    line_no = 0
    try:
        with _open(path) as lines:
            for line_no, line in enumerate(lines, start=1):  # noqa: B007
                if limit is not None and line_no > limit:
                    return
                if not line.strip():
                    continue
                yield parse_line(line, f"{path}:{line_no}")
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError, UnicodeDecodeError) as exc:
        where = f"{path}:{line_no + 1}" if line_no else str(path)
        raise SourceError(where, f"cannot read on ({type(exc).__name__}: {exc})") from exc


def parse_line(line: str, location: str) -> PaperRecord | SourceProblem:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return SourceProblem(location, f"invalid JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(data, dict):
        return SourceProblem(location, f"expected a JSON object, got {type(data).__name__}")
    try:
        if "arxiv_id" in data:
            return PaperRecord.from_json(data)
        _require(data, "id", "title")
        if isinstance(data.get("authors"), str) or "authors_parsed" in data or "submitter" in data:
            return from_snapshot(data)
        return from_listing(data)
    except (InvalidArxivId, _Missing) as exc:
        return SourceProblem(location, str(exc))
    except (KeyError, TypeError, ValueError) as exc:
        return SourceProblem(location, f"bad record: {exc}")


class _Missing(KeyError):
    def __str__(self) -> str:
        return self.args[0]


def _require(data: dict[str, Any], *keys: str) -> None:
    for key in keys:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            ident = data.get("id") or data.get("arxiv_id")
            suffix = f" (id {ident})" if ident and key != "id" else ""
            raise _Missing(f"missing {key!r}{suffix}")


def _categories(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    return list(value or [])


def from_listing(data: dict[str, Any]) -> PaperRecord:
    """A line of ``cs-listings-*.jsonl.gz``: one paper as announced on ``listing_date``."""
    return PaperRecord(
        arxiv_id=data["id"],
        title=data["title"],
        abstract=data.get("abstract") or "",
        authors=[Author.from_name(n) for n in data.get("authors") or []],
        categories=_categories(data.get("categories")),
        primary_category=data.get("primary_category") or "",
        comments=data.get("comment") or data.get("comments") or "",
        journal_ref=data.get("journal_ref") or "",
        doi=data.get("doi") or "",
        announced=dt.date.fromisoformat(data["listing_date"]) if data.get("listing_date") else None,
    )


def from_snapshot(data: dict[str, Any]) -> PaperRecord:
    """A line of the public ``arxiv-metadata-oai-snapshot.json``.

    Its ``authors_parsed`` gives [keyname, forenames, suffix] per author; the
    ``authors`` string is only used when that is missing.
    """
    parsed = data.get("authors_parsed")
    if parsed:
        authors = [Author.from_parts(*(list(p) + ["", ""])[:3]) for p in parsed]
    else:
        authors = [Author.from_name(n) for n in _split_names(data.get("authors") or "")]
    versions = [
        Version(int(str(v["version"]).lstrip("v")), _rfc2822(v.get("created")))
        for v in data.get("versions") or []
    ]
    update = data.get("update_date")
    return PaperRecord(
        arxiv_id=data["id"],
        title=data["title"],
        abstract=data.get("abstract") or "",
        authors=authors,
        categories=_categories(data.get("categories")),
        comments=data.get("comments") or "",
        journal_ref=data.get("journal-ref") or "",
        doi=data.get("doi") or "",
        report_no=data.get("report-no") or "",
        license=data.get("license") or "",
        versions=versions,
        updated=(
            dt.datetime.combine(dt.date.fromisoformat(update), dt.time(), tzinfo=dt.UTC)
            if update
            else None
        ),
    )


def _rfc2822(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    return email.utils.parsedate_to_datetime(value).astimezone(dt.UTC)


def _split_names(text: str) -> list[str]:
    names: list[str] = []
    for part in text.replace(" and ", ", ").split(","):
        if part.strip():
            names.append(part.strip())
    return names
