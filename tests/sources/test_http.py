"""The polite client: interval, retries, Retry-After, clear errors (against 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import email.utils
import socket

import pytest

from paperfeed.sources.arxiv_api import fetch_ids
from paperfeed.sources.http import PoliteClient, parse_retry_after
from paperfeed.sources.problems import SourceError
from tests.sources.sourcedata import API, Reply

ASTRO = (API / "xml" / "id_astro-ph_0601001_s0_m100_3150dca9dc76.xml").read_bytes()


class Sequenced:
    """Replies in order, the last one repeated."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)

    def __call__(self, path: str, query: dict[str, str]) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


def test_retry_after_seconds_then_success(server, client, sleeps) -> None:  # type: ignore[no-untyped-def]
    server.responder = Sequenced(Reply(503, b"slow down", {"Retry-After": "7"}), Reply(200, ASTRO))
    (record,) = fetch_ids(client, f"{server.url}/api/query", ["astro-ph/0601001"])
    assert record.arxiv_id == "astro-ph/0601001"
    assert sleeps.waits == [7.0]
    assert len(server.requests) == 2
    assert server.requests[0].query == server.requests[1].query


def test_retry_after_http_date(server, client, sleeps) -> None:  # type: ignore[no-untyped-def]
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120)
    server.responder = Sequenced(
        Reply(503, b"", {"Retry-After": email.utils.format_datetime(when, usegmt=True)}),
        Reply(200, ASTRO),
    )
    client.get(f"{server.url}/x")
    (wait,) = sleeps.waits
    assert 100 < wait <= 120


def test_retry_after_is_capped(server, sleeps) -> None:  # type: ignore[no-untyped-def]
    server.responder = Sequenced(Reply(503, b"", {"Retry-After": "86400"}), Reply(200, b"ok"))
    with PoliteClient(min_interval=0, max_wait=600, sleep=sleeps) as polite:
        assert polite.get(f"{server.url}/x").text == "ok"
    assert sleeps.waits == [600]


def test_parse_retry_after_forms() -> None:
    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Sat, 28 Nov 2026 12:01:00 GMT", now) == 60.0
    assert parse_retry_after("Sat, 28 Nov 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_5xx_backs_off_then_gives_up_naming_url_and_status(server, client, sleeps) -> None:  # type: ignore[no-untyped-def]
    server.responder = Sequenced(Reply(500, b"boom"))
    with pytest.raises(SourceError) as info:
        client.get(f"{server.url}/oai2", {"verb": "ListRecords"})
    assert info.value.location == f"{server.url}/oai2?verb=ListRecords"
    assert "HTTP 500 Internal Server Error" in info.value.message
    assert "gave up after 3 attempts" in info.value.message
    assert len(server.requests) == 3
    assert sleeps.waits == [1.0, 2.0]  # backoff 1 s, doubled


def test_404_is_not_retried(server, client, sleeps) -> None:  # type: ignore[no-untyped-def]
    server.responder = Sequenced(Reply(404, b"Not Found"))
    with pytest.raises(SourceError, match=r"/missing: HTTP 404 Not Found"):
        client.get(f"{server.url}/missing")
    assert len(server.requests) == 1 and sleeps.waits == []


def test_connection_error_is_retried_then_reported(client, sleeps) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SourceError) as info:
        client.get(f"http://127.0.0.1:{port}/api/query")
    assert info.value.location == f"http://127.0.0.1:{port}/api/query"
    assert "ConnectError" in info.value.message
    assert sleeps.waits == [1.0, 2.0]


def test_minimum_interval_between_requests(server, sleeps) -> None:  # type: ignore[no-untyped-def]
    server.responder = Sequenced(Reply(200, b"ok"))
    now = [1000.0]

    def sleep(seconds: float) -> None:
        sleeps(seconds)
        now[0] += seconds

    with PoliteClient(min_interval=3, sleep=sleep, clock=lambda: now[0]) as polite:
        polite.get(f"{server.url}/a")
        now[0] += 1.0  # one second of parsing
        polite.get(f"{server.url}/b")
        polite.get(f"{server.url}/c")
    assert sleeps.waits == [2.0, 3.0]


def test_user_agent_from_settings(server, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HTTP_USER_AGENT = "paperfeed-test/1.0 (+mailto:test@example.org)"
    settings.ARXIV_REQUEST_INTERVAL = 0
    server.responder = Sequenced(Reply(200, b"ok"))
    with PoliteClient.from_settings() as polite:
        assert polite.min_interval == 0
        polite.get(f"{server.url}/")
    assert server.requests[0].headers["User-Agent"] == settings.HTTP_USER_AGENT
