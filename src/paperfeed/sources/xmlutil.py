"""lxml helpers shared by the XML parsers.

arXiv's XML comes with and without namespaces (the same OAI record appears with
the arXiv namespace, inheriting the OAI one, or none), so lookups go by local name.
Parsing is safe by default: no entity expansion, no network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from lxml import etree

from paperfeed.sources.problems import SourceError


def parse_xml(data: bytes, location: str) -> etree._Element:
    """The root element, or SourceError naming ``location`` and lxml's line and column."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, 0)
        raise SourceError(
            location, f"invalid XML at line {line}, column {column}: {exc.msg}"
        ) from exc
    if root is None:
        raise SourceError(location, "empty XML document")
    return root


def local(element: etree._Element) -> str:
    """The tag without its namespace ('' for comments and processing instructions)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def children(element: etree._Element | None, name: str) -> Iterator[etree._Element]:
    if element is None:
        return
    for child in element:
        if local(child) == name:
            yield child


def child(element: etree._Element | None, name: str) -> etree._Element | None:
    return next(children(element, name), None)


def text(element: etree._Element | None, name: str | None = None) -> str:
    """All text inside ``element`` (or its first ``name`` child), '' when absent."""
    if name is not None:
        element = child(element, name)
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def texts(element: etree._Element | None, name: str) -> list[str]:
    return [t for t in ("".join(c.itertext()).strip() for c in children(element, name)) if t]


def parse_datetime(value: str) -> dt.datetime | None:
    """ISO dates and datetimes as aware datetimes (UTC when no zone is given)."""
    value = (value or "").strip()
    if not value:
        return None
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
