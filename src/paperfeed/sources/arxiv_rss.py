"""arXiv's daily listings as RSS (``rss.arxiv.org/rss/<cat>``): what was announced today.

The feed is the cheapest way to learn each day's papers: one request for several
categories (``cs.LG+cs.CV``). Each item carries its announce type: ``new`` and
``cross`` are papers announced today, ``replace`` and ``replace-cross`` are new
versions of older papers. Only the first two get today's date as ``announced``:
a replacement was announced long ago, and dating it today would put an old paper
into today's feed whenever the catalogue didn't know it yet.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from lxml import etree

from paperfeed.sources.http import PoliteClient
from paperfeed.sources.ids import InvalidArxivId
from paperfeed.sources.problems import SourceError, SourceProblem
from paperfeed.sources.records import Author, PaperRecord
from paperfeed.sources.xmlutil import child, children, local, parse_xml, text, texts

ANNOUNCE_TYPES = frozenset({"new", "cross", "replace", "replace-cross"})
FIRST_ANNOUNCEMENTS = frozenset({"new", "cross"})
_PREFIX = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?",
    re.IGNORECASE,
)
_AUTHOR_SPLIT = re.compile(r",|\band\b|&")


@dataclass
class RssListing:
    """One day's listing: its records and the announcement date they share."""

    records: list[PaperRecord | SourceProblem] = field(default_factory=list)
    announced: dt.date | None = None
    announce_types: dict[str, str] = field(default_factory=dict)  # arXiv id -> type

    @property
    def papers(self) -> list[PaperRecord]:
        return [r for r in self.records if isinstance(r, PaperRecord)]


def split_authors(creator: str) -> list[Author]:
    """'A. One, B. Two and C. Three' -> three authors (arXiv's dc:creator byline)."""
    return [Author.from_name(name) for name in _AUTHOR_SPLIT.split(creator) if name.strip()]


def _rfc822_date(value: str) -> dt.date | None:
    """The calendar date as written (arXiv's midnight, Eastern time), not converted."""
    if not value.strip():
        return None
    try:
        return email.utils.parsedate_to_datetime(value.strip()).date()
    except (TypeError, ValueError):
        return None


def parse_rss(
    data: bytes, location: str, announce_types: Collection[str] = ANNOUNCE_TYPES
) -> RssListing:
    """Parse a daily RSS listing, keeping items whose announce type is wanted."""
    return parse_rss_root(parse_xml(data, location), location, announce_types)


def parse_rss_root(
    root: etree._Element, location: str, announce_types: Collection[str] = ANNOUNCE_TYPES
) -> RssListing:
    if local(root) != "rss":
        raise SourceError(location, f"not an RSS feed (root element <{local(root)}>)")
    channel = child(root, "channel")
    if channel is None:
        raise SourceError(location, "RSS feed has no <channel>")
    listing = RssListing(
        announced=_rfc822_date(text(channel, "pubDate"))
        or _rfc822_date(text(channel, "lastBuildDate"))
    )
    for number, item in enumerate(children(channel, "item"), start=1):
        guid = text(item, "guid") or text(item, "link")
        where = f"{location} item {number} ({guid or 'no id'})"
        description = text(item, "description")
        prefix = _PREFIX.match(description)
        kind = text(item, "announce_type") or (prefix.group("type") if prefix else "new")
        kind = kind.lower()
        if kind not in announce_types:
            continue
        title = text(item, "title")
        if not guid:
            listing.records.append(SourceProblem(where, "item has no guid or link"))
            continue
        if not title:
            listing.records.append(SourceProblem(where, "item has no title"))
            continue
        try:
            record = PaperRecord(
                arxiv_id=guid,
                title=title,
                abstract=description[prefix.end() :] if prefix else description,
                authors=[a for c in texts(item, "creator") for a in split_authors(c)],
                categories=texts(item, "category"),
                license=text(item, "rights"),
                announced=listing.announced if kind in FIRST_ANNOUNCEMENTS else None,
            )
        except (InvalidArxivId, ValueError) as exc:
            listing.records.append(SourceProblem(where, str(exc)))
            continue
        listing.records.append(record)
        listing.announce_types[record.arxiv_id] = kind
    return listing


def fetch_listing(
    client: PoliteClient,
    base_url: str,
    categories: Sequence[str],
    announce_types: Collection[str] = ANNOUNCE_TYPES,
) -> RssListing:
    """Today's listing for these categories in one request (``<base>/cs.LG+cs.CV``)."""
    if not categories:
        raise ValueError("no categories given")
    url = base_url.rstrip("/") + "/" + "+".join(categories)
    response = client.get(url)
    return parse_rss(response.content, str(response.request.url), announce_types)
