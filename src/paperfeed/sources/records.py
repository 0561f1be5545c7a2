"""PaperRecord: what every source produces and what the catalogue stores.

Parsers build records without touching the database; ``merge`` says how a record
from one source updates what is already known, so ingest is an upsert whose rules
can be read (and tested) in one place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from paperfeed.sources.ids import abs_url, parse_arxiv_id, pdf_url
from paperfeed.sources.weblinks import is_arxiv_url, is_http_url

# arXiv category codes: cs.CV, hep-th, cond-mat.mtrl-sci, q-bio.NC. Some listings put MSC
# ("68T05") or ACM ("I.2.6; I.4.8") classes among the categories; those are not kept.
CATEGORY_RE = re.compile(r"^(?=.{1,32}$)[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[a-z]+)*)?$")


def clean_text(text: str | None) -> str:
    """Fold runs of whitespace (arXiv wraps lines at 80 columns); LaTeX stays as written."""
    if not text:
        return ""
    if "\x00" in text:  # PostgreSQL refuses NUL in text; it is never meaningful here
        text = text.replace("\x00", " ")
    return " ".join(text.split())  # str.split: ~4x faster than a regex, same folding


# Longer "names" are run-together bylines from a broken source record.
MAX_NAME = 1000


@dataclass(frozen=True)
class Author:
    """An author in byline order; ``keyname``/``forenames`` where the source parses names."""

    name: str
    keyname: str = ""
    forenames: str = ""
    suffix: str = ""

    @classmethod
    def from_parts(cls, keyname: str, forenames: str = "", suffix: str = "") -> Author:
        keyname, forenames, suffix = clean_text(keyname), clean_text(forenames), clean_text(suffix)
        name = " ".join(part for part in (forenames, keyname, suffix) if part)[:MAX_NAME]
        return cls(name=name, keyname=keyname, forenames=forenames, suffix=suffix)

    @classmethod
    def from_name(cls, name: str) -> Author:
        return cls(name=clean_text(name)[:MAX_NAME])


@dataclass(frozen=True)
class Version:
    number: int
    submitted: dt.datetime | None = None
    size: str = ""


@dataclass
class PaperRecord:
    """One paper as a source describes it. Empty strings and ``None`` mean "unknown"."""

    arxiv_id: str
    title: str
    abstract: str = ""
    authors: list[Author] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    primary_category: str = ""
    comments: str = ""
    journal_ref: str = ""
    doi: str = ""
    report_no: str = ""
    license: str = ""
    versions: list[Version] = field(default_factory=list)
    submitted: dt.datetime | None = None
    updated: dt.datetime | None = None
    announced: dt.date | None = None
    abs_url: str = ""
    pdf_url: str = ""

    def __post_init__(self) -> None:
        parsed = parse_arxiv_id(self.arxiv_id)
        self.arxiv_id = parsed.id
        if parsed.version and not any(v.number == parsed.version for v in self.versions):
            self.versions = [*self.versions, Version(parsed.version)]
        self.title = clean_text(self.title)
        self.abstract = clean_text(self.abstract)
        for name in ("comments", "journal_ref", "doi", "report_no", "license"):
            setattr(self, name, clean_text(getattr(self, name)))
        # A byline naming one person twice would not round-trip through the
        # (paper, author) table, so the first occurrence wins.
        unique: dict[str, Author] = {}
        for author in self.authors:
            if author.name and author.name not in unique:
                unique[author.name] = author
        self.authors = list(unique.values())
        self.categories = list(
            dict.fromkeys(c.strip() for c in self.categories if c and CATEGORY_RE.match(c.strip()))
        )
        self.primary_category = (self.primary_category or "").strip()
        if not CATEGORY_RE.match(self.primary_category):
            self.primary_category = ""
        if not self.primary_category and self.categories:
            self.primary_category = self.categories[0]
        if self.primary_category and self.primary_category not in self.categories:
            self.categories.insert(0, self.primary_category)
        self.versions = sorted(_merge_versions([], self.versions), key=lambda v: v.number)
        if self.submitted is None and self.versions and self.versions[0].number == 1:
            self.submitted = self.versions[0].submitted
        # Links reach an href: only http(s) is accepted, and arXiv's own links are kept
        # only when they point at arXiv (otherwise built from the id).
        for name in ("abs_url", "pdf_url", "license"):
            value = (getattr(self, name) or "").strip()
            if value and not is_http_url(value):
                raise ValueError(f"{name} must be an http(s) URL, got {value[:80]!r}")
            setattr(self, name, value)
        if not is_arxiv_url(self.abs_url):
            self.abs_url = abs_url(self.arxiv_id)
        if not is_arxiv_url(self.pdf_url):
            self.pdf_url = pdf_url(self.arxiv_id)

    @property
    def latest_version(self) -> int | None:
        return self.versions[-1].number if self.versions else None

    def to_json(self) -> dict[str, Any]:
        """A plain-JSON form that ``from_json`` reads back to an equal record."""
        data = dataclasses.asdict(self)
        data["authors"] = [
            {k: v for k, v in dataclasses.asdict(a).items() if v} for a in self.authors
        ]
        data["versions"] = [
            {
                "version": v.number,
                "submitted": v.submitted.isoformat() if v.submitted else None,
                **({"size": v.size} if v.size else {}),
            }
            for v in self.versions
        ]
        for key in ("submitted", "updated", "announced"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaperRecord:
        return cls(
            arxiv_id=data["arxiv_id"],
            title=data["title"],
            abstract=data.get("abstract") or "",
            authors=[Author(**a) for a in data.get("authors") or []],
            categories=list(data.get("categories") or []),
            primary_category=data.get("primary_category") or "",
            comments=data.get("comments") or "",
            journal_ref=data.get("journal_ref") or "",
            doi=data.get("doi") or "",
            report_no=data.get("report_no") or "",
            license=data.get("license") or "",
            versions=[
                Version(v["version"], _datetime(v.get("submitted")), v.get("size") or "")
                for v in data.get("versions") or []
            ],
            submitted=_datetime(data.get("submitted")),
            updated=_datetime(data.get("updated")),
            announced=dt.date.fromisoformat(data["announced"]) if data.get("announced") else None,
            abs_url=data.get("abs_url") or "",
            pdf_url=data.get("pdf_url") or "",
        )


def _datetime(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _merge_versions(known: list[Version], incoming: list[Version]) -> list[Version]:
    """Union by number; a dated entry beats an undated one for the same version."""
    by_number: dict[int, Version] = {v.number: v for v in known}
    for version in incoming:
        current = by_number.get(version.number)
        if current is None:
            by_number[version.number] = version
        else:
            by_number[version.number] = Version(
                version.number,
                current.submitted or version.submitted,
                current.size or version.size,
            )
    return [by_number[n] for n in sorted(by_number)]


def _earliest(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _latest(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _fill_parsed_names(authors: list[Author], other: list[Author]) -> list[Author]:
    """Keep parsed name parts that another source gave for the same names."""
    parsed = {a.name: a for a in other if a.keyname}
    return [a if a.keyname else parsed.get(a.name, a) for a in authors]


def merge(known: PaperRecord, incoming: PaperRecord) -> PaperRecord:
    """What the catalogue holds after ``incoming`` arrives for a paper already ``known``.

    - Descriptive fields (title, abstract, authors, comments, ...) come from the
      record describing a strictly newer version; otherwise what is known stays and
      the incoming record only fills fields still empty, so the order in which
      sources arrive does not flip a paper back and forth. Unknown (empty) values
      never erase known ones.
    - Categories are a union (a cross-list adds categories); the primary category
      follows the newest version.
    - Versions are a union; submitted is the earliest date, updated the latest.
    - Announced is the first announcement (later listings of a replacement don't move it).
    """
    assert known.arxiv_id == incoming.arxiv_id
    known_v = known.latest_version or 0
    incoming_v = incoming.latest_version or 0
    newer = incoming if incoming_v > known_v else known
    older = known if newer is incoming else incoming

    def pick(name: str) -> Any:
        return getattr(newer, name) or getattr(older, name)

    categories = list(newer.categories) + [c for c in older.categories if c not in newer.categories]
    return PaperRecord(
        arxiv_id=known.arxiv_id,
        title=pick("title"),
        abstract=pick("abstract"),
        authors=_fill_parsed_names(newer.authors or older.authors, older.authors),
        categories=categories,
        primary_category=pick("primary_category"),
        comments=pick("comments"),
        journal_ref=pick("journal_ref"),
        doi=pick("doi"),
        report_no=pick("report_no"),
        license=pick("license"),
        versions=_merge_versions(known.versions, incoming.versions),
        submitted=_earliest(known.submitted, incoming.submitted),
        updated=_latest(known.updated, incoming.updated),
        announced=_earliest(known.announced, incoming.announced),
        abs_url=known.abs_url,
        pdf_url=known.pdf_url,
    )
