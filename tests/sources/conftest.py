"""Shared fixtures for the source tests: a local HTTP server replaying the real
recorded arXiv responses (see sourcedata.py), settings pointing at it, a client
that records its waits instead of sleeping."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from paperfeed.sources.http import PoliteClient
from tests.sources.sourcedata import (
    RSS_FILES,
    OaiScript,
    ReplayServer,
    Reply,
    SleepRecorder,
    combined_rss,
    query_key,
    recorded_api,
)


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    replay = ReplayServer()
    yield replay
    replay.close()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def client(sleeps: SleepRecorder) -> Iterator[PoliteClient]:
    with PoliteClient(
        user_agent="paperfeed-tests", min_interval=0, backoff=1.0, max_retries=2, sleep=sleeps
    ) as polite:
        yield polite


@pytest.fixture
def arxiv_settings(settings, server: ReplayServer):  # type: ignore[no-untyped-def]
    """Point every arXiv endpoint at the replay server; no waiting between requests."""
    settings.ARXIV_API_URL = f"{server.url}/api/query"
    settings.ARXIV_OAI_URL = f"{server.url}/oai2"
    settings.ARXIV_RSS_URL = f"{server.url}/rss/"
    settings.ARXIV_REQUEST_INTERVAL = 0
    settings.ARXIV_RETRY_BACKOFF = 0
    settings.ARXIV_MAX_RETRIES = 2
    return settings


@pytest.fixture
def api_server(server: ReplayServer, arxiv_settings) -> ReplayServer:  # type: ignore[no-untyped-def]
    """The replay server answering /api/query with the recorded responses."""
    replies = recorded_api()

    def respond(path: str, query: dict[str, str]) -> Reply:
        if path != "/api/query":
            return Reply(404, b"not found")
        return replies.get(query_key(query)) or Reply(
            404, f"no recording for {query_key(query)}".encode()
        )

    server.responder = respond
    return server


@pytest.fixture
def oai_server(server: ReplayServer, arxiv_settings) -> tuple[ReplayServer, OaiScript]:  # type: ignore[no-untyped-def]
    script = OaiScript()
    server.responder = script
    return server, script


@pytest.fixture
def rss_server(server: ReplayServer, arxiv_settings) -> ReplayServer:  # type: ignore[no-untyped-def]
    def respond(path: str, query: dict[str, str]) -> Reply:
        categories = path.removeprefix("/rss/").split("+")
        if not path.startswith("/rss/") or not all(c in RSS_FILES for c in categories):
            return Reply(404, b"Not Found")
        if len(categories) == 1:
            return Reply(body=RSS_FILES[categories[0]].read_bytes())
        return Reply(body=combined_rss(categories))

    server.responder = respond
    return server
