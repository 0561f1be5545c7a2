"""read_xml: one entry point for saved OAI-PMH, API and RSS files."""

from __future__ import annotations

import pytest

from paperfeed.sources.problems import SourceError
from paperfeed.sources.records import PaperRecord
from paperfeed.sources.xmlfiles import read_xml
from tests.sources.sourcedata import API, OAI, OAI_TOKEN_PAGE, RSS_FILES


@pytest.mark.parametrize(
    ("path", "first_id", "count"),
    [
        (OAI_TOKEN_PAGE, "1303.2033", 5),
        (
            OAI / "invenio_oaiharvester" / "sample_arxiv_response_listrecords_cs.xml",
            "1101.4388",
            46,
        ),
        (API / "xml" / "id_astro-ph_0601001_s0_m100_3150dca9dc76.xml", "astro-ph/0601001", 1),
        (API / "xml" / "legacy_format_2019_all_science_m10.xml", "1501.05039", 10),
        (RSS_FILES["cs.AI"], "2604.21935", 3),
    ],
    ids=lambda v: getattr(v, "name", str(v)),
)
def test_detects_the_format(path, first_id: str, count: int) -> None:  # type: ignore[no-untyped-def]
    records = list(read_xml(path))
    assert all(isinstance(r, PaperRecord) for r in records)
    assert len(records) == count and records[0].arxiv_id == first_id


def test_rss_records_carry_the_announcement_date() -> None:
    (first, *_) = read_xml(RSS_FILES["cs.CL"])
    assert str(first.announced) == "2026-04-27"


def test_unknown_root_names_file_and_tag(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "saved.xml"
    path.write_text('<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>')
    with pytest.raises(SourceError) as info:
        list(read_xml(path))
    assert info.value.location == str(path)
    assert "unknown XML root element <{http://www.w3.org/1999/xhtml}html>" in info.value.message


def test_truncated_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cut.xml"
    path.write_bytes(OAI_TOKEN_PAGE.read_bytes()[:4000])
    with pytest.raises(SourceError) as info:
        list(read_xml(path))
    assert info.value.location == str(path)
    assert info.value.message.startswith("invalid XML at line ")


def test_missing_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SourceError, match="cannot read file"):
        list(read_xml(tmp_path / "nope.xml"))


def test_api_error_feed_file() -> None:
    with pytest.raises(SourceError, match="incorrect id format for abc"):
        list(read_xml(API / "xml" / "id_abc_s0_m100_b79c8dcf6bc3.xml"))
