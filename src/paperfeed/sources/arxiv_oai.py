"""arXiv OAI-PMH: parse ``ListRecords``/``GetRecord`` pages and harvest them.

Two metadata formats are read: ``arXiv`` (parsed author names, categories,
journal-ref, ...) and ``oai_dc`` (what every OAI client understands, poorer:
subjects are names such as "Computer Science - Machine Learning", not codes).
Harvesting is a sequence of pages linked by resumption tokens; the caller
(``paperfeed harvest``) stores the token after each page so a harvest resumes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from paperfeed.sources.http import PoliteClient
from paperfeed.sources.ids import InvalidArxivId
from paperfeed.sources.problems import SourceError, SourceProblem
from paperfeed.sources.records import Author, PaperRecord, Version
from paperfeed.sources.xmlutil import child, children, local, parse_datetime, parse_xml, text, texts

# Codes such as cs.LG, hep-th, astro-ph.GA, physics.comp-ph, q-bio.NC, math-ph.
_CATEGORY_CODE = re.compile(r"^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?$")
_ABS_URL = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/abs/", re.IGNORECASE)


@dataclass
class OaiPage:
    """One OAI-PMH response: its records and how to ask for the next page."""

    records: list[PaperRecord | SourceProblem] = field(default_factory=list)
    resumption_token: str | None = None
    cursor: int | None = None
    complete_list_size: int | None = None
    deleted: list[str] = field(default_factory=list)  # identifiers with status="deleted"

    @property
    def papers(self) -> list[PaperRecord]:
        return [r for r in self.records if isinstance(r, PaperRecord)]

    @property
    def problems(self) -> list[SourceProblem]:
        return [r for r in self.records if isinstance(r, SourceProblem)]


def parse_oai(data: bytes, location: str) -> OaiPage:
    """Parse one OAI-PMH response. ``noRecordsMatch`` is an empty page; any other
    OAI error, invalid XML or a root that isn't ``OAI-PMH`` raises SourceError."""
    return parse_oai_root(parse_xml(data, location), location)


def parse_oai_root(root: etree._Element, location: str) -> OaiPage:
    if local(root) != "OAI-PMH":
        raise SourceError(location, f"not an OAI-PMH response (root element <{local(root)}>)")
    for error in children(root, "error"):
        code = error.get("code", "")
        if code == "noRecordsMatch":
            return OaiPage(complete_list_size=0)
        raise SourceError(location, f"OAI-PMH error {code}: {text(error)}")
    verb = child(root, "ListRecords")
    if verb is None:
        verb = child(root, "GetRecord")
    if verb is None:
        raise SourceError(location, "OAI-PMH response has neither ListRecords nor GetRecord")
    page = OaiPage()
    for number, record in enumerate(children(verb, "record"), start=1):
        header = child(record, "header")
        identifier = text(header, "identifier")
        where = f"{location} record {number} ({identifier or 'no identifier'})"
        if header is not None and header.get("status") == "deleted":
            page.deleted.append(identifier)
            continue
        try:
            page.records.append(_record(record, header, identifier, where))
        except (InvalidArxivId, ValueError) as exc:
            page.records.append(SourceProblem(where, str(exc)))
    token = child(verb, "resumptionToken")
    if token is not None:
        page.resumption_token = text(token) or None
        page.cursor = _int(token.get("cursor"))
        page.complete_list_size = _int(token.get("completeListSize"))
    return page


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _record(
    record: etree._Element, header: etree._Element | None, identifier: str, where: str
) -> PaperRecord | SourceProblem:
    metadata = child(record, "metadata")
    body = next((c for c in metadata if local(c)), None) if metadata is not None else None
    if body is None:
        return SourceProblem(where, "record has no metadata")
    kind = local(body)
    if kind == "arXiv":
        return _arxiv_format(body, identifier, where)
    if kind == "dc":
        return _dc_format(body, identifier, where)
    return SourceProblem(where, f"unsupported metadata format <{kind}>")


def _arxiv_format(meta: etree._Element, identifier: str, where: str) -> PaperRecord | SourceProblem:
    arxiv_id = text(meta, "id") or identifier
    title = text(meta, "title")
    if not arxiv_id:
        return SourceProblem(where, "record has no arXiv id")
    if not title:
        return SourceProblem(where, "record has no title")
    authors = [
        Author.from_parts(text(a, "keyname"), text(a, "forenames"), text(a, "suffix"))
        for a in children(child(meta, "authors"), "author")
    ]
    created = parse_datetime(text(meta, "created"))
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=title,
        abstract=text(meta, "abstract"),
        authors=[a for a in authors if a.name],
        categories=text(meta, "categories").split(),
        comments=text(meta, "comments"),
        journal_ref=text(meta, "journal-ref"),
        doi=text(meta, "doi"),
        report_no=text(meta, "report-no"),
        license=text(meta, "license"),
        # The arXiv format dates v1 (created) and the latest version (updated) but
        # doesn't number the latest; only v1 is certain.
        versions=[Version(1, created)] if created else [],
        submitted=created,
        updated=parse_datetime(text(meta, "updated")),
    )


def _dc_format(meta: etree._Element, identifier: str, where: str) -> PaperRecord | SourceProblem:
    arxiv_id = ""
    doi = ""
    for value in texts(meta, "identifier"):
        if _ABS_URL.match(value) and not arxiv_id:
            arxiv_id = value
        elif value.lower().startswith("doi:") and not doi:
            doi = value[4:].strip()
    arxiv_id = arxiv_id or identifier
    title = text(meta, "title")
    if not arxiv_id:
        return SourceProblem(where, "record has no arXiv id")
    if not title:
        return SourceProblem(where, "record has no title")
    authors = []
    for creator in texts(meta, "creator"):
        last, comma, first = creator.partition(",")
        authors.append(Author.from_parts(last, first) if comma else Author.from_name(creator))
    abstract, comments = "", ""
    for description in texts(meta, "description"):
        if description.startswith("Comment:"):
            comments = comments or description[len("Comment:") :].strip()
        elif not abstract:
            abstract = description
    dates = [parse_datetime(d) for d in texts(meta, "date")]
    created = dates[0] if dates else None
    return PaperRecord(
        arxiv_id=arxiv_id,
        title=title,
        abstract=abstract,
        authors=[a for a in authors if a.name],
        # dc:subject holds names ("Computer Science - Learning"); keep only real codes.
        categories=[s for s in texts(meta, "subject") if _CATEGORY_CODE.match(s)],
        comments=comments,
        doi=doi,
        license=text(meta, "rights"),
        versions=[Version(1, created)] if created else [],
        submitted=created,
        updated=dates[-1] if len(dates) > 1 else None,
    )


def harvest_pages(
    client: PoliteClient,
    base_url: str,
    set_spec: str | None = None,
    from_date: str | None = None,
    until_date: str | None = None,
    metadata_prefix: str = "arXiv",
    resumption_token: str | None = None,
) -> Iterator[OaiPage]:
    """Yield ``ListRecords`` pages, following resumption tokens to the end.

    Start from ``resumption_token`` to resume an interrupted harvest: a request with
    a token carries only the verb and the token, as OAI-PMH requires.
    """
    token = resumption_token
    while True:
        if token:
            params: dict[str, str] = {"verb": "ListRecords", "resumptionToken": token}
        else:
            params = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
            if set_spec:
                params["set"] = set_spec
            if from_date:
                params["from"] = from_date
            if until_date:
                params["until"] = until_date
        response = client.get(base_url, params)
        location = str(response.request.url)
        page = parse_oai(response.content, location)
        if token and page.resumption_token == token:
            # A server (or proxy cache) answering the same page again would loop forever.
            raise SourceError(location, f"the server repeated resumption token {token!r}")
        yield page
        token = page.resumption_token
        if not token:
            return
