"""Data and helpers for the source tests: where the real recorded files are, and a
local HTTP server that replays them (no network but loopback). Fixtures are in
conftest.py; test modules import constants from here (a unique module name, so
it can't be confused with another folder's conftest)."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from tests.support.paths import FORMATS

OAI = FORMATS / "arxiv-oai-pmh"
API = FORMATS / "arxiv-api"
RSS = FORMATS / "arxiv-rss"
OAI_TOKEN_PAGE = OAI / "atomiklabs" / "ListRecords_oai_dc_cs_2024-01-25_with_resumptionToken.xml"
OAI_NS = "http://www.openarchives.org/OAI/2.0/"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/xml; charset=utf-8"


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


Responder = Callable[[str, dict[str, str]], Reply]


class ReplayServer:
    """A ThreadingHTTPServer on 127.0.0.1; ``responder(path, query)`` picks the reply
    and every request is kept in ``requests``."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.responder: Responder = lambda path, query: Reply(404, b"no responder set")
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                replay.requests.append(Request(parts.path, query, dict(self.headers)))
                reply = replay.responder(parts.path, query)
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(5)


class SleepRecorder:
    """Injected instead of time.sleep: remembers the waits, waits for none."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


# --- recorded API responses -------------------------------------------------------------


def query_key(query: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """A request's identity: its non-empty parameters, order ignored."""
    return tuple(sorted((k, v) for k, v in query.items() if v))


def recorded_api() -> dict[tuple[tuple[str, str], ...], Reply]:
    """Every recorded API exchange keyed by its request's parameters."""
    replies = {}
    for path in sorted((API / "recorded_json").glob("*.json")):
        recording = json.loads(path.read_text())
        query = {
            k: v[0]
            for k, v in parse_qs(urlsplit(recording["url"]).query, keep_blank_values=True).items()
        }
        replies[query_key(query)] = Reply(
            recording["status_code"], recording["body"].encode("utf-8")
        )
    return replies


# --- OAI-PMH pages ----------------------------------------------------------------------

OAI_FIRST_TOKEN = "6960524|1001"


def oai_second_page() -> bytes:
    """The page after the atomiklabs one, which no one recorded: built from the real
    atomiklabs page by replacing its five records with the (real, oai_dc) records of
    two invenio GetRecord responses, and its token with the empty one OAI-PMH puts on
    the last page."""
    root = etree.fromstring(OAI_TOKEN_PAGE.read_bytes())
    list_records = root.find(f"{{{OAI_NS}}}ListRecords")
    for element in list(list_records):
        list_records.remove(element)
    for name in ("sample_oai_dc_response.xml", "sample_arxiv_response_utf8.xml"):
        other = etree.fromstring((OAI / "invenio_oaiharvester" / name).read_bytes())
        for record in other.iter(f"{{{OAI_NS}}}record"):
            list_records.append(copy.deepcopy(record))
    token = etree.SubElement(list_records, f"{{{OAI_NS}}}resumptionToken")
    token.set("cursor", "1001")
    token.set("completeListSize", "1162")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@dataclass
class OaiScript:
    """Serves page 1 (the real atomiklabs page) for set=cs from=2024-01-25 oai_dc,
    page 2 for its token; ``fail_token_requests`` makes page 2 a 500."""

    fail_token_requests: bool = False

    def __call__(self, path: str, query: dict[str, str]) -> Reply:
        if path != "/oai2" or query.get("verb") != "ListRecords":
            return Reply(404, b"not found")
        token = query.get("resumptionToken")
        if token is not None:
            if set(query) != {"verb", "resumptionToken"}:
                return Reply(400, b"a resumptionToken request carries only verb and token")
            if self.fail_token_requests:
                return Reply(500, b"Internal Server Error")
            if token == OAI_FIRST_TOKEN:
                return Reply(body=oai_second_page())
            return Reply(body=_oai_error("badResumptionToken", f"unknown token {token}"))
        wanted = {"metadataPrefix": "oai_dc", "set": "cs", "from": "2024-01-25"}
        if all(query.get(k) == v for k, v in wanted.items()) and "until" not in query:
            return Reply(body=OAI_TOKEN_PAGE.read_bytes())
        return Reply(body=(OAI / "invenio_oaiharvester" / "sample_empty_response.xml").read_bytes())


def _oai_error(code: str, message: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="{OAI_NS}">'
        f"<responseDate>2026-11-28T00:00:00Z</responseDate>"
        f'<error code="{code}">{message}</error></OAI-PMH>'
    ).encode()


# --- RSS listings -----------------------------------------------------------------------

RSS_FILES = {
    "cs.AI": RSS / "rss_arxiv_cs_ai.xml",
    "cs.CL": RSS / "rss_arxiv_cs_cl.xml",
    "cs.LG": RSS / "rss_arxiv_cs_lg.xml",
}


def combined_rss(categories: list[str]) -> bytes:
    """What rss.arxiv.org/rss/cs.AI+cs.LG returns, which no one recorded: the first
    real feed's channel with the items of every named feed (duplicates dropped)."""
    root = etree.fromstring(RSS_FILES[categories[0]].read_bytes())
    channel = root.find("channel")
    seen = {item.findtext("guid") for item in channel.findall("item")}
    for category in categories[1:]:
        other = etree.fromstring(RSS_FILES[category].read_bytes())
        for item in other.find("channel").findall("item"):
            if item.findtext("guid") not in seen:
                seen.add(item.findtext("guid"))
                channel.append(copy.deepcopy(item))
    return etree.tostring(root, encoding="UTF-8")
