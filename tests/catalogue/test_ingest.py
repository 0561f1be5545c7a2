"""Upsert rules against the real database (SQLite, or PostgreSQL in CI's second run)."""

import datetime as dt

import pytest

from paperfeed.catalogue.ingest import Ingestor, load_record
from paperfeed.catalogue.models import Author, Paper, Version
from paperfeed.catalogue.signals import papers_changed
from paperfeed.catalogue.version import recent_catalogue_version
from paperfeed.search.filters import Filters
from paperfeed.sources.jsonl import read_jsonl
from paperfeed.sources.records import Author as AuthorRecord
from paperfeed.sources.records import PaperRecord
from paperfeed.sources.records import Version as VersionRecord
from tests.support.corpus import listing_records
from tests.support.paths import LISTINGS, SNAPSHOT

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def listings():
    return list(read_jsonl(LISTINGS, limit=300))


def test_ingest_creates_papers_with_ordered_authors_and_categories(listings):
    result = Ingestor().ingest(listings)
    assert result.created == 300
    first = listings[0]
    paper = Paper.objects.get(arxiv_id=first.arxiv_id)
    assert paper.title == first.title
    assert paper.announced == first.announced
    names = list(paper.authorships.order_by("position").values_list("author__name", flat=True))
    assert names == [a.name for a in first.authors]
    assert paper.primary_category_id == first.primary_category
    assert set(paper.categories.values_list("code", flat=True)) == set(first.categories)
    assert paper.abs_url == f"https://arxiv.org/abs/{first.arxiv_id}"


def test_same_records_twice_change_nothing(listings):
    Ingestor().ingest(listings)
    before = list(Paper.objects.order_by("id").values_list("id", "modified_at"))
    authors = Author.objects.count()
    again = Ingestor().ingest(listings)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 300)
    assert list(Paper.objects.order_by("id").values_list("id", "modified_at")) == before
    assert Author.objects.count() == authors


def test_newer_version_updates_and_keeps_history():
    ingest = Ingestor().ingest
    v1 = PaperRecord(
        arxiv_id="2501.00001v1",
        title="First title",
        abstract="old",
        categories=["cs.LG"],
        versions=[VersionRecord(1, dt.datetime(2025, 1, 1, tzinfo=UTC))],
    )
    ingest([v1])
    v2 = PaperRecord(
        arxiv_id="2501.00001v2",
        title="Second title",
        abstract="new",
        categories=["cs.LG"],
        versions=[VersionRecord(2, dt.datetime(2025, 2, 1, tzinfo=UTC))],
    )
    result = ingest([v2])
    assert result.updated == 1
    paper = Paper.objects.get(arxiv_id="2501.00001")
    assert paper.title == "Second title"
    assert paper.latest_version == 2
    assert list(paper.versions.values_list("number", flat=True)) == [1, 2]
    assert paper.submitted == dt.datetime(2025, 1, 1, tzinfo=UTC)
    # the old version arriving late does not roll the paper back
    assert ingest([v1]).unchanged == 1
    assert Paper.objects.get(arxiv_id="2501.00001").title == "Second title"


def test_cross_list_adds_categories():
    ingest = Ingestor().ingest
    ingest([PaperRecord(arxiv_id="2501.00002", title="t", categories=["cs.CL"])])
    result = ingest([PaperRecord(arxiv_id="2501.00002", title="t", categories=["cs.AI"])])
    assert result.updated == 1
    paper = Paper.objects.get(arxiv_id="2501.00002")
    assert set(paper.categories.values_list("code", flat=True)) == {"cs.CL", "cs.AI"}
    assert paper.primary_category_id == "cs.CL"


def test_duplicates_inside_one_batch_are_merged():
    records = [
        PaperRecord(arxiv_id="2501.00003v1", title="t", categories=["cs.CL"]),
        PaperRecord(arxiv_id="2501.00003v2", title="t2", categories=["cs.AI"]),
    ]
    result = Ingestor().ingest(records)
    assert result.created == 1
    record = load_record("2501.00003")
    assert record.title == "t2"
    assert [v.number for v in record.versions] == [1, 2]


def test_snapshot_versions_and_parsed_authors_are_stored():
    records = [r for r in read_jsonl(SNAPSHOT) if isinstance(r, PaperRecord)]
    Ingestor().ingest(records)
    paper = Paper.objects.get(arxiv_id="0704.0001")
    assert paper.journal_ref == "Phys.Rev.D76:013009,2007"
    assert paper.doi == "10.1103/PhysRevD.76.013009"
    assert list(paper.versions.values_list("number", flat=True)) == [1, 2]
    assert paper.submitted == dt.datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    balazs = Author.objects.get(name="C. Balázs")
    assert (balazs.keyname, balazs.forenames) == ("Balázs", "C.")
    assert Version.objects.filter(paper__arxiv_id="0704.0001", number=2).exists()


def test_parsed_names_fill_in_for_known_authors():
    ingest = Ingestor().ingest
    ingest(
        [
            PaperRecord(
                arxiv_id="2501.00004", title="t", authors=[AuthorRecord.from_name("Ada Lovelace")]
            )
        ]
    )
    ingest(
        [
            PaperRecord(
                arxiv_id="2501.00005",
                title="u",
                authors=[AuthorRecord.from_parts("Lovelace", "Ada")],
            )
        ]
    )
    assert Author.objects.get(name="Ada Lovelace").keyname == "Lovelace"
    assert Author.objects.filter(name="Ada Lovelace").count() == 1


@pytest.mark.django_db(transaction=True)
def test_changed_papers_are_signalled_after_commit():
    seen = []

    def receiver(sender, paper_ids, **kwargs):
        seen.append(sorted(paper_ids))

    papers_changed.connect(receiver)
    try:
        ingest = Ingestor().ingest
        ingest([PaperRecord(arxiv_id="2501.00006", title="t")])
        ingest([PaperRecord(arxiv_id="2501.00006", title="t")])  # unchanged: no signal
    finally:
        papers_changed.disconnect(receiver)
    assert seen == [[Paper.objects.get(arxiv_id="2501.00006").pk]]


def test_a_batch_moves_the_version_before_it_commits():
    """The version is kept a second per process; an import batch forgets it as it
    writes, not only after commit. (A version read, then a batch that never commits
    (a test's rolled-back transaction), left search's per-filter paper lists pointing
    at papers that no longer existed.)"""
    records = listing_records(40)
    Ingestor().ingest(records[:20])
    before = recent_catalogue_version()
    everything = Filters(date_from=dt.date(1990, 1, 1))
    first = set(everything.paper_ids().members)
    Ingestor().ingest(records[20:])
    assert recent_catalogue_version() != before
    assert set(everything.paper_ids().members) == set(Paper.objects.values_list("id", flat=True))
    assert set(everything.paper_ids().members) > first
