"""Read a saved arXiv XML response (``paperfeed import saved.xml``), whatever it is.

People save what they fetched with curl: an OAI-PMH page, an API search, a daily
RSS feed. The root element says which, so the user never has to.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from paperfeed.sources.arxiv_api import parse_api_root
from paperfeed.sources.arxiv_oai import parse_oai_root
from paperfeed.sources.arxiv_rss import parse_rss_root
from paperfeed.sources.problems import SourceError, SourceProblem
from paperfeed.sources.records import PaperRecord
from paperfeed.sources.xmlutil import local, parse_xml


def read_xml(path: str | Path) -> Iterator[PaperRecord | SourceProblem]:
    """Records (and problems) from an OAI-PMH, API Atom or RSS file.

    Raises SourceError naming the file for unreadable files, invalid XML and
    unknown root elements. Deleted OAI records are reported as problems, since a
    file import has no other channel to mention them.
    """
    location = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SourceError(location, f"cannot read file: {exc.strerror or exc}") from exc
    root = parse_xml(data, location)
    kind = local(root)
    if kind == "OAI-PMH":
        page = parse_oai_root(root, location)
        yield from page.records
        for identifier in page.deleted:
            yield SourceProblem(f"{location} ({identifier})", "record is deleted at arXiv")
    elif kind == "feed":
        yield from parse_api_root(root, location).records
    elif kind == "rss":
        yield from parse_rss_root(root, location).records
    else:
        raise SourceError(
            location,
            f"unknown XML root element <{root.tag!s}> "
            "(expected OAI-PMH, an arXiv API Atom <feed> or an arXiv RSS <rss>)",
        )
