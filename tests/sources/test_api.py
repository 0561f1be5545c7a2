"""The arXiv API parser on every recorded feed, and the fetchers against the replay server."""

from __future__ import annotations

import datetime as dt

import pytest

from paperfeed.sources.arxiv_api import fetch_ids, parse_api, search
from paperfeed.sources.problems import SourceError, SourceProblem
from tests.sources.sourcedata import API

XML = API / "xml"
ALL_API_FILES = sorted(XML.glob("*.xml"))
ERROR_FEED = XML / "id_abc_s0_m100_b79c8dcf6bc3.xml"


def parse(name: str):  # type: ignore[no-untyped-def]
    return parse_api((XML / name).read_bytes(), name)


def test_every_recorded_file_is_found() -> None:
    assert len(ALL_API_FILES) == 22


@pytest.mark.parametrize("path", ALL_API_FILES, ids=lambda p: p.name)
def test_every_real_api_file_parses(path) -> None:  # type: ignore[no-untyped-def]
    if path == ERROR_FEED:
        with pytest.raises(SourceError, match="incorrect id format for abc"):
            parse_api(path.read_bytes(), path.name)
        return
    page = parse_api(path.read_bytes(), path.name)
    assert page.total_results is not None and page.start_index is not None
    assert not any(isinstance(r, SourceProblem) for r in page.records)
    assert len(page.records) == min(page.items_per_page, page.total_results)
    for record in page.papers:
        assert record.title and record.authors and record.primary_category
        assert record.primary_category in record.categories
        assert record.versions[0].number == 1 and record.submitted == record.versions[0].submitted


def test_search_page_of_100() -> None:
    page = parse("q_testing_s0_m100_cfe7536492ca.xml")
    assert (page.total_results, page.start_index, page.items_per_page) == (214881, 0, 100)
    assert len(page.papers) == 100
    first = page.papers[0]
    assert first.arxiv_id == "2202.12139"
    assert first.title.startswith("Testing Deep Learning Models: A First Comparative")
    assert first.categories == ["cs.SE", "cs.LG"] and first.primary_category == "cs.SE"
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert first.pdf_url == "https://arxiv.org/pdf/2202.12139"


def test_later_version_is_dated_by_updated() -> None:
    record = parse("q_testing_s10_m10_34e56e15aaac.xml").papers[0]
    assert record.arxiv_id == "2403.16981"
    assert [v.number for v in record.versions] == [1, 2]
    assert record.versions[0].submitted == dt.datetime(2024, 3, 25, 17, 42, 32, tzinfo=dt.UTC)
    assert record.versions[1].submitted == dt.datetime(2025, 5, 24, 5, 50, 33, tzinfo=dt.UTC)
    assert record.updated == record.versions[1].submitted
    assert record.latest_version == 2


def test_old_style_id() -> None:
    (record,) = parse("id_astro-ph_0601001_s0_m100_3150dca9dc76.xml").papers
    assert record.arxiv_id == "astro-ph/0601001"
    assert record.latest_version == 1
    assert record.title.startswith("Frequency of Hot Jupiters and Very Hot Jupiters")
    assert [a.name for a in record.authors][:3] == [
        "Andrew Gould",
        "Susan Dorsher",
        "B. Scott Gaudi",
    ]
    assert record.journal_ref == "ActaAstron.56:1-50,2006"
    assert record.comments.startswith("62 pages including 16 figures and 9 tables")
    assert record.categories == ["astro-ph"]
    assert record.submitted == dt.datetime(2006, 1, 2, 14, 57, 58, tzinfo=dt.UTC)


def test_versioned_ids() -> None:
    (quant,) = parse("id_quant-ph_0201082v1_s0_m100_86989fe779ef.xml").papers
    assert quant.arxiv_id == "quant-ph/0201082"
    assert quant.categories == ["quant-ph", "cs.PL"]
    (zero,) = parse("id_2104.12255v1_s0_m100_6ae69987ffe1.xml").papers
    assert zero.arxiv_id == "2104.12255" and zero.title == "0"  # a real title of "0"


def test_two_ids_one_unknown() -> None:
    page = parse("id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.xml")
    assert [r.arxiv_id for r in page.papers] == ["1707.08567"]
    assert len(page.papers[0].authors) == 34


@pytest.mark.parametrize(
    "name", ["id_0000.0000_s0_m100_8b51d9633a68.xml", "id_0808.05394_s0_m100_7b0c7d0a7cdd.xml"]
)
def test_empty_results(name: str) -> None:
    page = parse(name)
    assert page.records == [] and page.total_results == 0


def test_legacy_2019_format() -> None:
    page = parse("legacy_format_2019_all_science_m10.xml")
    assert (page.total_results, page.items_per_page) == (120839, 10)
    assert len(page.papers) == 10
    first = page.papers[0]
    assert first.arxiv_id == "1501.05039"
    assert first.title == "Defining Data Science"
    assert [a.name for a in first.authors] == ["Yangyong Zhu", "Yun Xiong"]
    assert first.categories == ["cs.DB", "cs.CY"] and first.primary_category == "cs.DB"
    assert first.pdf_url == "https://arxiv.org/pdf/1501.05039"
    # Titles wrapped over lines are folded.
    assert page.papers[1].title.startswith("Report on a Boston University Conference December")
    assert "\n" not in page.papers[1].title


def test_category_search_feed() -> None:
    page = parse("brevio_cat_cs.LG_OR_cs.AI_m20_2026-04-30.xml")
    assert page.total_results == 364218 and len(page.papers) == 20
    first = page.papers[0]
    assert first.arxiv_id == "2604.26951"
    assert first.primary_category == "cs.CL"
    assert first.categories == ["cs.CL", "cs.AI", "cs.LG"]


def test_error_feed_message() -> None:
    with pytest.raises(SourceError) as info:
        parse_api(ERROR_FEED.read_bytes(), "abc.xml")
    assert info.value.location == "abc.xml"
    assert info.value.message == "arXiv API error: incorrect id format for abc"


def test_truncated_feed_is_invalid_xml() -> None:
    data = (XML / "q_testing_s0_m10_bc5a6c384fe9.xml").read_bytes()[:3000]
    with pytest.raises(SourceError, match=r"invalid XML at line \d+, column \d+"):
        parse_api(data, "cut.xml")


def test_entry_without_title_is_a_problem() -> None:
    data = (XML / "id_1605.08386_s0_m100_199195aa31ad.xml").read_text()
    start = data.index("<title>Heat-bath")
    data = data[:start] + data[data.index("</title>", start) + len("</title>") :]
    (problem,) = parse_api(data.encode(), "t.xml").records
    assert isinstance(problem, SourceProblem)
    assert problem.location == "t.xml entry 1 (http://arxiv.org/abs/1605.08386v1)"
    assert problem.message == "entry has no title"


# --- fetchers against the replay server -------------------------------------------------


def test_search_pages_with_start_and_max_results(api_server, client) -> None:  # type: ignore[no-untyped-def]
    pages = list(
        search(client, f"{api_server.url}/api/query", "testing", max_results=60, page_size=10)
    )
    starts = [int(r.query["start"]) for r in api_server.requests]
    assert starts == [0, 10, 20, 30, 40, 50]
    assert {r.query["max_results"] for r in api_server.requests} == {"10"}
    assert [p.start_index for p in pages] == [0, 10, 20, 30, 40, 50]
    ids = [r.arxiv_id for p in pages for r in p.papers]
    assert len(ids) == 60
    assert ids[0] == "2202.12139" and ids[10] == "2403.16981"


def test_search_last_page_is_shorter(api_server, client) -> None:  # type: ignore[no-untyped-def]
    pages = list(search(client, f"{api_server.url}/api/query", "testing", start=5, max_results=15))
    assert [(r.query["start"], r.query["max_results"]) for r in api_server.requests] == [
        ("5", "15")
    ]
    assert len(pages[0].papers) == 15


def test_fetch_ids_one_request_per_batch(api_server, client) -> None:  # type: ignore[no-untyped-def]
    records = fetch_ids(client, f"{api_server.url}/api/query", ["0808.05394", "1707.08567"])
    assert [r.arxiv_id for r in records] == ["1707.08567"]
    assert [r.query["id_list"] for r in api_server.requests] == ["0808.05394,1707.08567"]


def test_fetch_ids_old_style_and_versioned(api_server, client) -> None:  # type: ignore[no-untyped-def]
    url = f"{api_server.url}/api/query"
    records = fetch_ids(client, url, ["astro-ph/0601001", "quant-ph/0201082v1"], batch_size=1)
    assert [r.arxiv_id for r in records] == ["astro-ph/0601001", "quant-ph/0201082"]
    assert len(api_server.requests) == 2


def test_fetch_unknown_id_is_empty(api_server, client) -> None:  # type: ignore[no-untyped-def]
    assert fetch_ids(client, f"{api_server.url}/api/query", ["0000.0000"]) == []


def test_fetch_error_feed_with_http_400(api_server, client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SourceError) as info:
        fetch_ids(client, f"{api_server.url}/api/query", ["abc"])
    assert "id_list=abc" in info.value.location
    assert info.value.message == "arXiv API error: incorrect id format for abc"
    assert len(api_server.requests) == 1  # a 400 is not retried
