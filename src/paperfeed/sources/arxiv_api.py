"""The arXiv API (``/api/query``): parse its Atom feeds, look up ids, page a search.

The API is the only source that names the exact version of a paper (the entry id
ends in ``v3``), so ``paperfeed fetch`` uses it for single papers. Both the
current format (namespaces declared on ``<feed>``) and the pre-2025 one (declared
on each element) are plain Atom to lxml. A request arXiv rejects comes back as
HTTP 400 with an Atom feed holding one "Error" entry; that becomes a SourceError
carrying arXiv's own explanation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from lxml import etree

from paperfeed.sources.http import PoliteClient
from paperfeed.sources.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.sources.problems import SourceError, SourceProblem
from paperfeed.sources.records import Author, PaperRecord, Version
from paperfeed.sources.xmlutil import child, children, local, parse_datetime, parse_xml, text

_VERSION_SUFFIX = re.compile(r"v\d+$")
ID_BATCH = 100  # ids per id_list request: arXiv handles more, but URLs stay short


@dataclass
class ApiPage:
    """One API response: entries plus the OpenSearch counters for paging."""

    records: list[PaperRecord | SourceProblem] = field(default_factory=list)
    total_results: int | None = None
    start_index: int | None = None
    items_per_page: int | None = None

    @property
    def papers(self) -> list[PaperRecord]:
        return [r for r in self.records if isinstance(r, PaperRecord)]


def parse_api(data: bytes, location: str) -> ApiPage:
    """Parse an API Atom feed; the error feed raises SourceError with arXiv's message."""
    return parse_api_root(parse_xml(data, location), location)


def parse_api_root(root: etree._Element, location: str) -> ApiPage:
    if local(root) != "feed":
        raise SourceError(location, f"not an Atom feed (root element <{local(root)}>)")
    page = ApiPage(
        total_results=_int(text(root, "totalResults")),
        start_index=_int(text(root, "startIndex")),
        items_per_page=_int(text(root, "itemsPerPage")),
    )
    for number, entry in enumerate(children(root, "entry"), start=1):
        entry_id = text(entry, "id")
        if "/api/errors" in entry_id or (
            text(entry, "title") == "Error" and not entry_id.startswith("http://arxiv.org/abs/")
        ):
            raise SourceError(location, f"arXiv API error: {text(entry, 'summary') or entry_id}")
        where = f"{location} entry {number} ({entry_id or 'no id'})"
        try:
            page.records.append(_entry(entry, entry_id, where))
        except (InvalidArxivId, ValueError) as exc:
            page.records.append(SourceProblem(where, str(exc)))
    return page


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _entry(entry: etree._Element, entry_id: str, where: str) -> PaperRecord | SourceProblem:
    title = text(entry, "title")
    if not entry_id:
        return SourceProblem(where, "entry has no id")
    if not title:
        return SourceProblem(where, "entry has no title")
    parsed = parse_arxiv_id(entry_id)
    published = parse_datetime(text(entry, "published"))
    updated = parse_datetime(text(entry, "updated"))
    versions = [Version(1, published)] if published else []
    if parsed.version and parsed.version > 1 and updated:
        # <updated> is when the version named in <id> was submitted.
        versions.append(Version(parsed.version, updated))
    primary = child(entry, "primary_category")
    pdf = ""
    for link in children(entry, "link"):
        if link.get("title") == "pdf" or link.get("type") == "application/pdf":
            # Versionless, so the link follows the paper to its latest version.
            pdf = _VERSION_SUFFIX.sub("", link.get("href", "")).replace("http://", "https://", 1)
            break
    return PaperRecord(
        arxiv_id=entry_id,
        title=title,
        abstract=text(entry, "summary"),
        authors=[Author.from_name(text(a, "name")) for a in children(entry, "author")],
        categories=[c.get("term", "") for c in children(entry, "category")],
        primary_category=primary.get("term", "") if primary is not None else "",
        comments=text(entry, "comment"),
        journal_ref=text(entry, "journal_ref"),
        doi=text(entry, "doi"),
        versions=versions,
        submitted=published,
        updated=updated,
        pdf_url=pdf,
    )


def _query(client: PoliteClient, base_url: str, params: dict[str, str | int]) -> ApiPage:
    response = client.get(base_url, params, accept=(400,))
    location = str(response.request.url)
    page = parse_api(response.content, location)
    if response.status_code == 400:  # an error feed without the usual error entry
        raise SourceError(location, "HTTP 400 Bad Request")
    return page


def fetch_ids(
    client: PoliteClient, base_url: str, ids: Sequence[str], batch_size: int = ID_BATCH
) -> list[PaperRecord | SourceProblem]:
    """Records for these ids (versioned or not), ``batch_size`` ids a request.

    Ids arXiv doesn't know are simply absent from the result."""
    results: list[PaperRecord | SourceProblem] = []
    for start in range(0, len(ids), batch_size):
        batch = list(ids[start : start + batch_size])
        page = _query(
            client,
            base_url,
            {
                "search_query": "",
                "id_list": ",".join(batch),
                "sortBy": "relevance",
                "sortOrder": "descending",
                "start": 0,
                "max_results": max(len(batch), ID_BATCH),
            },
        )
        results.extend(page.records)
    return results


def search(
    client: PoliteClient,
    base_url: str,
    query: str,
    start: int = 0,
    max_results: int = 100,
    page_size: int = 100,
) -> Iterator[ApiPage]:
    """Pages of a search (``search_query``), ``page_size`` entries a request, until
    ``max_results`` entries were asked for or arXiv has no more."""
    position = start
    end = start + max_results
    while position < end:
        size = min(page_size, end - position)
        page = _query(
            client,
            base_url,
            {
                "search_query": query,
                "id_list": "",
                "sortBy": "relevance",
                "sortOrder": "descending",
                "start": position,
                "max_results": size,
            },
        )
        yield page
        position += size
        if not page.records or (page.total_results is not None and position >= page.total_results):
            return
