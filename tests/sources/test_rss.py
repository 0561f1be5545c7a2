"""The daily RSS listing parser on the real feeds, and the listing fetcher."""

from __future__ import annotations

import datetime as dt

import pytest

from paperfeed.sources.arxiv_rss import fetch_listing, parse_rss, split_authors
from paperfeed.sources.problems import SourceError, SourceProblem
from tests.sources.sourcedata import RSS, RSS_FILES

DAY = dt.date(2026, 4, 27)
ALL_RSS_FILES = sorted(RSS.glob("*.xml"))


def test_every_recorded_file_is_found() -> None:
    assert len(ALL_RSS_FILES) == 3


@pytest.mark.parametrize("path", ALL_RSS_FILES, ids=lambda p: p.name)
def test_every_real_rss_file_parses(path) -> None:  # type: ignore[no-untyped-def]
    listing = parse_rss(path.read_bytes(), path.name)
    assert listing.announced == DAY
    assert len(listing.papers) == 3 and len(listing.records) == 3
    for record in listing.papers:
        assert record.announced == DAY
        assert record.latest_version == 1
        assert record.license.startswith("http://")
        assert not record.abstract.startswith("arXiv:")
        assert "Announce Type" not in record.abstract
        assert listing.announce_types[record.arxiv_id] == "new"


def test_cs_lg_items() -> None:
    listing = parse_rss(RSS_FILES["cs.LG"].read_bytes(), "lg.xml")
    first = listing.papers[0]
    assert first.arxiv_id == "2604.21952"
    assert first.title == (
        "Focus Session: Hardware and Software Techniques for Accelerating Multimodal "
        "Foundation Models"
    )
    assert first.abstract.startswith("This work presents a multi-layered methodology")
    assert first.categories == ["cs.LG", "cs.AI", "cs.AR", "cs.NE", "cs.RO"]
    assert first.primary_category == "cs.LG"
    assert first.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert [a.name for a in first.authors] == [
        "Muhammad Shafique",
        "Abdul Basit",
        "Muhammad Abdullah Hanif",
        "Alberto Marchisio",
        "Rachmad Vidya Wicaksana Putra",
        "Minghao Shao",
    ]
    assert [p.arxiv_id for p in listing.papers] == ["2604.21952", "2604.21953", "2604.21956"]


def test_cs_ai_long_byline_and_cs_cl_mononym() -> None:
    ai = parse_rss(RSS_FILES["cs.AI"].read_bytes(), "ai.xml").papers
    assert [p.arxiv_id for p in ai] == ["2604.21935", "2604.21936", "2604.21937"]
    assert len(ai[1].authors) == 18 and ai[1].authors[-1].name == "Bennett A. Landman"
    cl = parse_rss(RSS_FILES["cs.CL"].read_bytes(), "cl.xml").papers
    # "Anamta Khan, Ratna Kandala,  Deepti, Sheza Munir, Joyojeet Pal": a one-word name.
    assert [a.name for a in cl[0].authors] == [
        "Anamta Khan",
        "Ratna Kandala",
        "Deepti",
        "Sheza Munir",
        "Joyojeet Pal",
    ]


def test_split_authors_with_and() -> None:
    assert [a.name for a in split_authors("A. One, B. Two and C. Three")] == [
        "A. One",
        "B. Two",
        "C. Three",
    ]
    assert [a.name for a in split_authors("Sandra Anderson")] == ["Sandra Anderson"]


def _with_types(*types: str) -> bytes:
    """The real cs.LG feed with its three items re-typed (the recorded day had only
    "new" items), as replacements and cross-lists appear in a full listing."""
    data = RSS_FILES["cs.LG"].read_text()
    for kind in types:
        data = data.replace("Announce Type: new", f"Announce Type: {kind}", 1).replace(
            "<arxiv:announce_type>new<", f"<arxiv:announce_type>{kind}<", 1
        )
    return data.encode()


def test_replacements_update_versions_but_are_not_dated_today() -> None:
    data = _with_types("cross", "replace").replace(b"2604.21953v1", b"2604.21953v3")
    listing = parse_rss(data, "lg.xml")
    cross, replaced, new = listing.papers
    assert listing.announce_types == {
        "2604.21952": "cross",
        "2604.21953": "replace",
        "2604.21956": "new",
    }
    assert cross.announced == DAY and new.announced == DAY
    assert replaced.announced is None and replaced.latest_version == 3
    assert replaced.abstract.startswith("Anti-doping programs rely on biological testing")


def test_announce_types_can_be_filtered() -> None:
    listing = parse_rss(_with_types("replace-cross"), "lg.xml", announce_types={"new", "cross"})
    assert [p.arxiv_id for p in listing.papers] == ["2604.21953", "2604.21956"]


def test_item_without_title_is_a_problem() -> None:
    data = RSS_FILES["cs.LG"].read_text()
    start = data.index("<title>Performance Anomaly")
    data = data[:start] + data[data.index("</title>", start) + len("</title>") :]
    listing = parse_rss(data.encode(), "lg.xml")
    problem = listing.records[1]
    assert isinstance(problem, SourceProblem)
    assert problem.location == "lg.xml item 2 (oai:arXiv.org:2604.21953v1)"
    assert problem.message == "item has no title"
    assert len(listing.papers) == 2


def test_truncated_feed_is_invalid_xml() -> None:
    with pytest.raises(SourceError, match=r"lg\.xml: invalid XML at line \d+"):
        parse_rss(RSS_FILES["cs.LG"].read_bytes()[:2000], "lg.xml")


def test_fetch_one_category(rss_server, client) -> None:  # type: ignore[no-untyped-def]
    listing = fetch_listing(client, f"{rss_server.url}/rss/", ["cs.CL"])
    assert [r.path for r in rss_server.requests] == ["/rss/cs.CL"]
    assert [p.arxiv_id for p in listing.papers] == ["2604.22002", "2604.22027", "2604.22038"]


def test_fetch_several_categories_in_one_request(rss_server, client) -> None:  # type: ignore[no-untyped-def]
    listing = fetch_listing(client, f"{rss_server.url}/rss", ["cs.AI", "cs.CL", "cs.LG"])
    assert [r.path for r in rss_server.requests] == ["/rss/cs.AI+cs.CL+cs.LG"]
    assert len(listing.papers) == 9 and listing.announced == DAY


def test_fetch_unknown_category_is_a_source_error(rss_server, client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SourceError, match=r"/rss/cs\.XX: HTTP 404 Not Found"):
        fetch_listing(client, f"{rss_server.url}/rss/", ["cs.XX"])
