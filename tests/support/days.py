"""Papers imported into a chosen day, for the tests of pages keyed on a span of days
(the daily feed, the API's day lists, trending)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest

from paperfeed.catalogue.ingest import Ingestor
from paperfeed.web.responses import clear_page_cache
from tests.support.community import load_papers
from tests.support.corpus import listing_records

_ids = itertools.count(1)


@pytest.fixture
def days() -> tuple[dt.date, dt.date]:
    """The latest day of the 711 listings and the day before it."""
    papers = load_papers(711)
    latest = papers[0].announced
    older = max(p.announced for p in papers if p.announced < latest)
    clear_page_cache()
    return latest, older


def import_on(day: dt.date, n: int = 3, category: str = "") -> list[str]:
    """``n`` new papers (real listings under new ids) announced on ``day``."""
    records = []
    for record in listing_records(n):
        changed = dataclasses.replace(record, arxiv_id=f"2612.{next(_ids):05d}", announced=day)
        if category:
            changed.primary_category = category
            changed.categories = [category]
        records.append(changed)
    Ingestor().ingest(records)
    return [r.arxiv_id for r in records]
