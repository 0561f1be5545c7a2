"""The OAI-PMH parser on every recorded response, plus bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from lxml import etree

from paperfeed.sources.arxiv_oai import harvest_pages, parse_oai
from paperfeed.sources.problems import SourceError, SourceProblem
from paperfeed.sources.records import PaperRecord
from tests.sources.sourcedata import OAI, OAI_NS, OAI_TOKEN_PAGE, Reply

ALL_OAI_FILES = sorted(OAI.glob("*/*.xml"))
# Real files that are not arXiv metadata (INSPIRE MARCXML) or hold no records.
NOT_ARXIV = {"sample_inspire_response_listrecords.xml"}
EMPTY = {"sample_empty_response.xml"}


def parse(path):  # type: ignore[no-untyped-def]
    return parse_oai(path.read_bytes(), path.name)


def test_every_recorded_file_is_found() -> None:
    assert len(ALL_OAI_FILES) == 25


@pytest.mark.parametrize("path", ALL_OAI_FILES, ids=lambda p: p.name)
def test_every_real_oai_file_parses(path) -> None:  # type: ignore[no-untyped-def]
    page = parse(path)
    if path.name in EMPTY:
        assert page.records == [] and page.complete_list_size == 0
        return
    if path.name in NOT_ARXIV:
        assert len(page.problems) == 2 and not page.papers
        assert "unsupported metadata format <record>" in page.problems[0].message
        assert "record 1 (oai:inspirehep.net:972855)" in page.problems[0].location
        return
    assert page.records and not page.problems
    for record in page.papers:
        assert record.arxiv_id and record.title and record.authors
        assert record.versions[0].number == 1 and record.submitted is not None


def test_oai_dc_page_with_resumption_token() -> None:
    page = parse(OAI_TOKEN_PAGE)
    assert page.resumption_token == "6960524|1001"
    assert page.cursor == 0
    assert page.complete_list_size == 1162
    assert [r.arxiv_id for r in page.papers] == [
        "1303.2033",
        "2401.14034",
        "2401.14036",
        "2401.14038",
        "2401.14040",
    ]
    first = page.papers[0]
    assert first.title == "Extended Fourier analysis of signals"
    assert [(a.keyname, a.forenames) for a in first.authors] == [("Liepins", "Vilnis")]
    assert first.comments == "32 pages, 9 figures"
    assert first.abstract.startswith("This summary of the doctoral thesis")
    assert first.submitted == dt.datetime(2013, 3, 8, tzinfo=dt.UTC)
    assert first.updated == dt.datetime(2024, 1, 23, tzinfo=dt.UTC)
    # dc:subject holds names ("Computer Science - Information Theory"), not codes.
    assert first.categories == [] and first.primary_category == ""


def test_arxiv_format_list_records_cs() -> None:
    page = parse(OAI / "invenio_oaiharvester" / "sample_arxiv_response_listrecords_cs.xml")
    assert len(page.papers) == 46 and page.resumption_token is None
    first = page.papers[0]
    assert first.arxiv_id == "1101.4388"
    assert first.title == "Reproducing Kernel Banach Spaces with the l1 Norm"
    assert [a.name for a in first.authors] == [
        "Guohui Song",
        "Haizhang Zhang",
        "Fred J. Hickernell",
    ]
    assert first.authors[2].keyname == "Hickernell" and first.authors[2].forenames == "Fred J."
    assert first.categories == ["stat.ML", "cs.LG", "math.FA"]
    assert first.primary_category == "stat.ML"
    assert first.journal_ref == "Appl. Comput. Harmon. Anal., 34:96-116, 2013"
    assert first.doi == "10.1016/j.acha.2012.03.009"
    assert first.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert first.submitted == dt.datetime(2011, 1, 23, tzinfo=dt.UTC)
    assert first.updated == dt.datetime(2012, 3, 28, tzinfo=dt.UTC)
    assert page.papers[1].authors[1].name == "Heiko Röglin"


def test_physics_page_has_150_records() -> None:
    page = parse(OAI / "invenio_oaiharvester" / "sample_arxiv_response_listrecords_physics.xml")
    assert len(page.papers) == 150
    assert page.papers[0].arxiv_id == "0912.3200"
    assert page.papers[0].categories == ["math.CO", "math-ph", "math.MP"]


def test_report_no_and_collaboration_author() -> None:
    (record,) = parse(OAI / "hepcrawl" / "sample_arxiv_record0.xml").papers
    assert record.arxiv_id == "1601.03238"
    assert record.report_no == "YITP-2016-26"
    assert record.journal_ref == "Phys.Rev. D93 (2015) 016005"
    assert record.authors[0].name == "Planck Collaboration"
    assert record.authors[0].forenames == ""
    assert record.categories == ["quant-ph", "gr-qc", "hep-th", "chao-dyn", "nlin.CD"]


def test_msc_class_is_ignored_and_comments_kept() -> None:
    (record,) = parse(OAI / "hepcrawl" / "fixtures__http_server__records__arxiv-single.xml").papers
    assert record.arxiv_id == "1401.2122"
    assert record.comments.startswith("16 pages, LaTeX, no figures, revised and abridged")
    assert "37K05" not in record.comments
    assert record.categories[:2] == ["math.AP", "hep-th"]


@pytest.mark.parametrize(
    "name",
    [
        "sample_arxiv_response_no_namespace.xml",
        "sample_arxiv_response_with_namespace.xml",
    ],
)
def test_namespace_variants_read_the_same(name: str) -> None:
    (record,) = parse(OAI / "invenio_oaiharvester" / name).papers
    assert record.arxiv_id == "0804.2273"
    assert record.title == "Object Re-Use & Exchange: A Resource-Centric Approach"
    assert len(record.authors) == 6 and record.authors[1].keyname == "Van de Sompel"
    assert record.categories == ["cs.DL", "cs.NI"]
    assert record.license == "http://creativecommons.org/licenses/by/3.0/"


def test_get_record_in_both_formats() -> None:
    (arxiv,) = parse(OAI / "invenio_oaiharvester" / "sample_arxiv_response.xml").papers
    (dc,) = parse(OAI / "invenio_oaiharvester" / "sample_oai_dc_response.xml").papers
    assert arxiv.arxiv_id == dc.arxiv_id == "1507.03011"
    assert [a.name for a in arxiv.authors] == [a.name for a in dc.authors]
    assert dc.authors[1].keyname == "de Naray" and dc.authors[1].forenames == "Rachel Kuzio"
    assert arxiv.categories == ["astro-ph.GA"] and dc.categories == []
    assert arxiv.comments == dc.comments == "13 pages, 7 figures"
    assert arxiv.submitted == dc.submitted == dt.datetime(2015, 7, 10, tzinfo=dt.UTC)


def test_utf8_names() -> None:
    (record,) = parse(OAI / "invenio_oaiharvester" / "sample_arxiv_response_utf8.xml").papers
    assert record.arxiv_id == "1207.1019"
    assert record.authors[2].name == "Stéphane Ayache"


def test_empty_response_is_an_empty_page() -> None:
    page = parse(OAI / "invenio_oaiharvester" / "sample_empty_response.xml")
    assert page.records == [] and page.resumption_token is None


# --- bad input ---------------------------------------------------------------------------


def test_truncated_file_is_invalid_xml_with_position() -> None:
    data = OAI_TOKEN_PAGE.read_bytes()[:5000]
    with pytest.raises(SourceError) as info:
        parse_oai(data, "page.xml")
    assert info.value.location == "page.xml"
    assert "invalid XML at line" in info.value.message and "column" in info.value.message


def test_oai_error_code_other_than_no_records_match() -> None:
    data = b"""<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
      <responseDate>2026-11-28T00:00:00Z</responseDate>
      <error code="badResumptionToken">The value of the resumptionToken argument
        is invalid or expired.</error>
    </OAI-PMH>"""
    with pytest.raises(SourceError, match="OAI-PMH error badResumptionToken: The value of the"):
        parse_oai(data, "oai")


def test_not_oai_root() -> None:
    with pytest.raises(SourceError, match=r"root element <feed>"):
        parse_oai(b"<feed/>", "x.xml")


def _without(path, *tags: str) -> bytes:  # type: ignore[no-untyped-def]
    text = path.read_text()
    for tag in tags:
        start = text.index(f"<{tag}>")
        end = text.index(f"</{tag}>") + len(f"</{tag}>")
        text = text[:start] + text[end:]
    return text.encode()


def test_record_without_title_is_a_problem_and_the_others_survive() -> None:
    # The first record of the real page with its <title> removed.
    path = OAI / "invenio_oaiharvester" / "sample_arxiv_response_listrecords_cs.xml"
    page = parse_oai(_without(path, "title"), "cs.xml")
    problem = page.records[0]
    assert isinstance(problem, SourceProblem)
    assert problem.location == "cs.xml record 1 (oai:arXiv.org:1101.4388)"
    assert problem.message == "record has no title"
    assert len(page.papers) == 45


def test_record_without_any_id_is_a_problem() -> None:
    data = _without(OAI / "invenio_oaiharvester" / "sample_arxiv_response.xml", "id", "identifier")
    (problem,) = parse_oai(data, "get.xml").records
    assert isinstance(problem, SourceProblem)
    assert problem.location == "get.xml record 1 (no identifier)"
    assert problem.message == "record has no arXiv id"


def test_record_with_a_malformed_id_is_a_problem() -> None:
    data = OAI_TOKEN_PAGE.read_bytes().replace(
        b"http://arxiv.org/abs/1303.2033", b"http://arxiv.org/abs/13032033"
    )
    page = parse_oai(data, "p.xml")
    assert isinstance(page.records[0], SourceProblem)
    assert "not an arXiv id" in page.records[0].message
    assert all(isinstance(r, PaperRecord) for r in page.records[1:])


def test_deleted_record_is_reported_not_parsed() -> None:
    # A deleted record as OAI-PMH sends it: header status="deleted", no metadata.
    root = etree.fromstring(OAI_TOKEN_PAGE.read_bytes())
    record = root.findall(f".//{{{OAI_NS}}}record")[1]
    record.find(f"{{{OAI_NS}}}header").set("status", "deleted")
    record.remove(record.find(f"{{{OAI_NS}}}metadata"))
    page = parse_oai(etree.tostring(root), "p.xml")
    assert page.deleted == ["oai:arXiv.org:2401.14034"]
    assert [r.arxiv_id for r in page.papers] == [
        "1303.2033",
        "2401.14036",
        "2401.14038",
        "2401.14040",
    ]


def test_harvest_stops_when_the_server_repeats_a_token(server, client) -> None:  # type: ignore[no-untyped-def]
    server.responder = lambda path, query: Reply(body=OAI_TOKEN_PAGE.read_bytes())
    pages = harvest_pages(client, f"{server.url}/oai2", "cs", "2024-01-25")
    assert next(pages).resumption_token == "6960524|1001"
    with pytest.raises(SourceError, match=re.escape("repeated resumption token '6960524|1001'")):
        next(pages)
    assert len(server.requests) == 2
