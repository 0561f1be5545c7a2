"""harvest, fetch and fetch-new end to end: replay server -> command -> catalogue."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from paperfeed.catalogue.ingest import load_record
from paperfeed.catalogue.models import HarvestState, Paper
from tests.sources.sourcedata import OAI, OAI_NS, OAI_TOKEN_PAGE, RSS_FILES, Reply

pytestmark = pytest.mark.django_db

HARVEST = ("harvest", "--set", "cs", "--from", "2024-01-25", "--format", "oai_dc")
PAGE1_IDS = {"1303.2033", "2401.14034", "2401.14036", "2401.14038", "2401.14040"}
PAGE2_IDS = {"1507.03011", "1207.1019"}


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def state() -> HarvestState:
    return HarvestState.objects.get(source="arxiv-oai")


def stored_ids() -> set[str]:
    return set(Paper.objects.values_list("arxiv_id", flat=True))


# --- harvest ------------------------------------------------------------------------------


def test_harvest_progress_lines_and_quiet(oai_server, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAPERFEED_PROGRESS_SECONDS = 0
    _, err = run(*HARVEST)
    lines = err.splitlines()
    assert lines[0].startswith("harvest: 5/1162 records (0%), ")
    assert lines[1].startswith("harvest: 7/1162 records (1%), ")
    assert lines[-1].startswith("harvest: 7 records, ") and " done in " in lines[-1]
    _, err = run(*HARVEST, "--restart", "--quiet")
    assert err == ""


def test_harvest_follows_the_token_to_the_end(oai_server) -> None:  # type: ignore[no-untyped-def]
    server, _ = oai_server
    out, _ = run(*HARVEST)
    assert stored_ids() == PAGE1_IDS | PAGE2_IDS
    first, second = server.requests
    assert first.query == {
        "verb": "ListRecords",
        "metadataPrefix": "oai_dc",
        "set": "cs",
        "from": "2024-01-25",
    }
    assert second.query == {"verb": "ListRecords", "resumptionToken": "6960524|1001"}
    assert "page 1: 5 records (5 created, 0 updated, 0 unchanged), 5/1162 seen" in out
    assert "page 2: 2 records (2 created" in out
    assert "harvest finished: 2 page(s), 7 created" in out
    harvest = state()
    assert harvest.scope == "set=cs from=2024-01-25 until= format=oai_dc"
    assert harvest.finished and harvest.resumption_token == ""
    assert harvest.records_seen == 7 and harvest.complete_list_size == 1162
    paper = load_record("1303.2033")
    assert paper.title == "Extended Fourier analysis of signals"
    assert paper.authors[0].keyname == "Liepins"


def test_interrupted_harvest_resumes_from_the_stored_token(oai_server) -> None:  # type: ignore[no-untyped-def]
    server, script = oai_server
    script.fail_token_requests = True
    with pytest.raises(CommandError) as info:
        run(*HARVEST)
    message = str(info.value)
    assert "HTTP 500 Internal Server Error" in message and "resumptionToken=6960524" in message
    assert "run the same command again to resume" in message
    assert len(server.requests) == 1 + 3  # page 1, then page 2 tried three times
    assert stored_ids() == PAGE1_IDS  # page 1 committed with its token
    harvest = state()
    assert harvest.resumption_token == "6960524|1001" and not harvest.finished
    assert harvest.cursor == 5 and harvest.records_seen == 5

    script.fail_token_requests = False
    server.requests.clear()
    out, _ = run(*HARVEST)
    assert "resuming harvest set=cs from=2024-01-25 until= format=oai_dc at record 5" in out
    assert [r.query for r in server.requests] == [
        {"verb": "ListRecords", "resumptionToken": "6960524|1001"}
    ]
    assert stored_ids() == PAGE1_IDS | PAGE2_IDS
    assert state().finished and state().records_seen == 7

    server.requests.clear()
    out, _ = run(*HARVEST)
    assert "already finished" in out and server.requests == []

    out, _ = run(*HARVEST, "--restart")
    assert len(server.requests) == 2
    assert "harvest finished: 2 page(s), 0 created, 0 updated, 7 unchanged" in out


def test_crash_inside_a_page_writes_none_of_it(oai_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C after page 2's papers were written but before its state was saved: the
    page's transaction rolls back, so the rerun fetches page 2 again and loses nothing."""
    from paperfeed.catalogue.ingest import Ingestor

    real_ingest = Ingestor.ingest
    calls = []

    def ingest_then_interrupt(self, records):  # type: ignore[no-untyped-def]
        result = real_ingest(self, records)
        calls.append(result)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return result

    monkeypatch.setattr(Ingestor, "ingest", ingest_then_interrupt)
    with pytest.raises(CommandError, match="interrupted after 1 page"):
        run(*HARVEST)
    assert calls[1].created == 2  # page 2 was written inside the transaction ...
    assert stored_ids() == PAGE1_IDS  # ... and rolled back with it
    assert state().resumption_token == "6960524|1001"

    monkeypatch.setattr(Ingestor, "ingest", real_ingest)
    server, _ = oai_server
    server.requests.clear()
    run(*HARVEST)
    assert len(server.requests) == 1 and "resumptionToken" in server.requests[0].query
    assert stored_ids() == PAGE1_IDS | PAGE2_IDS and state().finished


def test_different_arguments_are_a_different_harvest(oai_server) -> None:  # type: ignore[no-untyped-def]
    run(*HARVEST)
    out, _ = run("harvest", "--set", "cs", "--from", "2024-01-25", "--until", "2024-01-26")
    # Not the oai_dc scope: a fresh harvest (the replay answers noRecordsMatch).
    assert "harvest finished: 1 page(s), 0 created" in out
    assert HarvestState.objects.count() == 2


def _page_with_untitled_second_record() -> bytes:
    root = etree.fromstring(OAI_TOKEN_PAGE.read_bytes())
    record = root.findall(f".//{{{OAI_NS}}}record")[1]
    title = record.find(".//{http://purl.org/dc/elements/1.1/}title")
    title.getparent().remove(title)
    return etree.tostring(root)


def test_bad_record_stops_before_writing_the_page(oai_server) -> None:  # type: ignore[no-untyped-def]
    server, script = oai_server
    server.responder = lambda path, query: (
        Reply(body=_page_with_untitled_second_record())
        if "resumptionToken" not in query
        else script(path, query)
    )
    with pytest.raises(CommandError) as info:
        run(*HARVEST)
    assert "record 2 (oai:arXiv.org:2401.14034): record has no title" in str(info.value)
    assert "--on-error skip" in str(info.value)
    assert stored_ids() == set()
    assert state().resumption_token == "" and state().records_seen == 0


def test_bad_record_skipped_with_on_error_skip(oai_server) -> None:  # type: ignore[no-untyped-def]
    server, script = oai_server
    server.responder = lambda path, query: (
        Reply(body=_page_with_untitled_second_record())
        if "resumptionToken" not in query
        else script(path, query)
    )
    _, err = run(*HARVEST, "--on-error", "skip")
    assert "skipped" in err and "2401.14034" in err
    assert stored_ids() == (PAGE1_IDS - {"2401.14034"}) | PAGE2_IDS
    assert state().finished


def test_harvest_arxiv_format(server, arxiv_settings) -> None:  # type: ignore[no-untyped-def]
    page = (OAI / "invenio_oaiharvester" / "sample_arxiv_response_listrecords_cs.xml").read_bytes()
    server.responder = lambda path, query: Reply(body=page)
    out, _ = run("harvest", "--set", "cs", "--from", "2015-01-16", "--until", "2015-01-18")
    assert server.requests[0].query["metadataPrefix"] == "arXiv"
    assert server.requests[0].query["until"] == "2015-01-18"
    assert Paper.objects.count() == 46
    paper = load_record("1101.4388")
    assert paper.categories == ["stat.ML", "cs.LG", "math.FA"]
    assert paper.doi == "10.1016/j.acha.2012.03.009"
    assert state().finished


def test_oai_error_is_a_command_error(server, arxiv_settings) -> None:  # type: ignore[no-untyped-def]
    server.responder = lambda path, query: Reply(
        body=(
            f'<OAI-PMH xmlns="{OAI_NS}"><error code="badArgument">Illegal set</error></OAI-PMH>'
        ).encode()
    )
    with pytest.raises(CommandError, match="OAI-PMH error badArgument: Illegal set"):
        run("harvest", "--set", "nonsense")


def test_harvest_rejects_a_bad_date(server, arxiv_settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match=r"--from '2024-13-01' is not a date"):
        run("harvest", "--from", "2024-13-01")
    assert server.requests == []


# --- fetch --------------------------------------------------------------------------------


def test_fetch_ids(api_server) -> None:  # type: ignore[no-untyped-def]
    out, _ = run("fetch", "astro-ph/0601001")
    assert "astro-ph/0601001v1: Frequency of Hot Jupiters" in out
    paper = load_record("astro-ph/0601001")
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert [v.number for v in paper.versions] == [1]
    assert api_server.requests[0].query["id_list"] == "astro-ph/0601001"


def test_fetch_reports_ids_arxiv_does_not_know(api_server) -> None:  # type: ignore[no-untyped-def]
    out, err = run("fetch", "0808.05394", "1707.08567")
    assert "not found at arXiv: 0808.05394" in err
    assert stored_ids() == {"1707.08567"}
    assert "fetched 1 papers: 1 created" in out


def test_fetch_versioned_id(api_server) -> None:  # type: ignore[no-untyped-def]
    run("fetch", "quant-ph/0201082v1")
    assert load_record("quant-ph/0201082").categories == ["quant-ph", "cs.PL"]


def test_fetch_invalid_id_fetches_nothing(api_server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError) as info:
        run("fetch", "1707.08567", "17O7.08567")
    assert "'17O7.08567'" in str(info.value) and "nothing was fetched" in str(info.value)
    assert api_server.requests == [] and stored_ids() == set()


def test_fetch_query_pages(api_server) -> None:  # type: ignore[no-untyped-def]
    out, _ = run("fetch", "--query", "testing", "--max", "60", "--page-size", "10")
    assert [r.query["start"] for r in api_server.requests] == ["0", "10", "20", "30", "40", "50"]
    assert "page 6: 10 records (of 214881 matching)" in out
    # Relevance order shifts between recorded pages, so a paper can appear twice.
    assert 50 < Paper.objects.count() <= 60
    assert "2202.12139" in stored_ids()


def test_fetch_http_error_is_a_command_error(server, arxiv_settings) -> None:  # type: ignore[no-untyped-def]
    server.responder = lambda path, query: Reply(502, b"Bad Gateway")
    with pytest.raises(CommandError, match=r"/api/query\?.*HTTP 502 Bad Gateway"):
        run("fetch", "1707.08567")
    assert stored_ids() == set()


def test_fetch_needs_ids_or_query(api_server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="give arXiv ids or --query"):
        run("fetch")


# --- fetch-new ----------------------------------------------------------------------------


def test_fetch_new_reads_the_listing(rss_server) -> None:  # type: ignore[no-untyped-def]
    out, _ = run("fetch_new", "cs.AI", "cs.CL", "cs.LG")
    assert [r.path for r in rss_server.requests] == ["/rss/cs.AI+cs.CL+cs.LG"]
    assert Paper.objects.count() == 9
    assert set(Paper.objects.values_list("announced", flat=True)) == {dt.date(2026, 4, 27)}
    # Counted by category membership, read off the files: cs.AI's 3 plus 2604.22027
    # (cs.CL, cs.AI) and 2604.21952 (cs.LG, cs.AI); cs.LG's 3 plus 2604.21935 and 2604.22027.
    assert "cs.AI: 5 papers (5 new)" in out
    assert "cs.CL: 3 papers (3 new)" in out
    assert "cs.LG: 5 papers (5 new)" in out
    assert "listing of 2026-04-27: 9 papers, 9 created" in out
    paper = load_record("2604.21952")
    assert paper.primary_category == "cs.LG" and len(paper.authors) == 6

    out, _ = run("fetch_new", "cs.LG")
    assert "3 unchanged" in out


def test_fetch_new_rejects_a_malformed_category(rss_server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match=r"not an arXiv category: 'cs LG'"):
        run("fetch_new", "cs LG")
    assert rss_server.requests == []


def test_fetch_new_unknown_category(rss_server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match=r"/rss/cs\.XX: HTTP 404"):
        run("fetch_new", "cs.XX")
    assert stored_ids() == set()


def test_fetch_new_invalid_feed_writes_nothing(server, arxiv_settings) -> None:  # type: ignore[no-untyped-def]
    server.responder = lambda path, query: Reply(body=RSS_FILES["cs.LG"].read_bytes()[:3000])
    with pytest.raises(CommandError, match=r"invalid XML at line \d+, column \d+"):
        run("fetch_new", "cs.LG")
    assert stored_ids() == set()
