"""A paper's BibTeX entry (the paper page, a collection's ``.bib``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from paperfeed.catalogue.models import Paper
from paperfeed.sources.weblinks import safe_href


class BibAuthor(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def keyname(self) -> str: ...


_BIB_UNSAFE = re.compile(r"[{}]")


def _year(paper: Paper) -> str:
    for value in (paper.announced, paper.submitted):
        if value:
            return str(value.year)
    match = re.search(r"(?:^|/)(\d{2})(\d{2})", paper.arxiv_id)
    if match:
        yy = int(match.group(1))
        return str(1900 + yy if yy > 90 else 2000 + yy)
    return ""


def bibtex(paper: Paper, authors: Sequence[BibAuthor]) -> str:
    """A @misc entry in arXiv's own style (eprint, archivePrefix, primaryClass)."""
    year = _year(paper)
    first = authors[0] if authors else None
    surname = (first.keyname or first.name.split()[-1]) if first else "anon"
    word = next((w for w in re.findall(r"[A-Za-z]+", paper.title) if len(w) > 3), "paper")
    key = re.sub(r"[^A-Za-z0-9]", "", f"{surname}{year}{word}").lower() or paper.arxiv_id

    def field(value: str) -> str:
        # Braces that don't balance would break the entry; keep the text otherwise.
        return value if value.count("{") == value.count("}") else _BIB_UNSAFE.sub("", value)

    fields = [
        ("title", field(paper.title)),
        ("author", " and ".join(field(a.name) for a in authors)),
        ("year", year),
        ("eprint", paper.arxiv_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", paper.primary_category_id or ""),
        ("journal", field(paper.journal_ref)),
        ("doi", paper.doi),
        ("url", safe_href(paper.abs_url)),
    ]
    body = ",\n".join(f"  {name:<13} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}"
