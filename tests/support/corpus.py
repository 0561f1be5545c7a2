"""Real corpus slices for the site, API and browser tests.

Records are parsed once a session (parsing the gzip is the slow part) and written
with the real ``Ingestor``. Three sources:
- the first N lines of the cs daily listings (announcement dates, categories, math);
- the first 200 records of the arXiv metadata snapshot (versions, journal-ref, DOI);
- the arXiv API's answer for the old-style id astro-ph/0601001.
"""

from __future__ import annotations

from functools import cache

from paperfeed.catalogue.ingest import Ingestor
from paperfeed.sources.arxiv_api import parse_api
from paperfeed.sources.jsonl import read_jsonl
from paperfeed.sources.records import PaperRecord
from tests.support.paths import FORMATS, LISTINGS, LISTINGS_LINES, SNAPSHOT

OLD_STYLE_ID = "astro-ph/0601001"
OLD_STYLE_XML = FORMATS / "arxiv-api" / "xml" / "id_astro-ph_0601001_s0_m100_3150dca9dc76.xml"


@cache
def listing_records(limit: int = 2000) -> tuple[PaperRecord, ...]:
    if limit > LISTINGS_LINES:
        raise ValueError(f"{LISTINGS} holds {LISTINGS_LINES} listings, not {limit}")
    return tuple(r for r in read_jsonl(LISTINGS, limit=limit) if isinstance(r, PaperRecord))


@cache
def snapshot_records() -> tuple[PaperRecord, ...]:
    return tuple(r for r in read_jsonl(SNAPSHOT) if isinstance(r, PaperRecord))


@cache
def old_style_records() -> tuple[PaperRecord, ...]:
    return tuple(parse_api(OLD_STYLE_XML.read_bytes(), str(OLD_STYLE_XML)).papers)


def load_corpus(listings: int = 2000, snapshot: bool = True, old_style: bool = True) -> int:
    """Write the slices into the database; returns how many papers were created."""
    records: list[PaperRecord] = list(listing_records(listings))
    if snapshot:
        records += snapshot_records()
    if old_style:
        records += old_style_records()
    return Ingestor().ingest(records).created
