from __future__ import annotations

import pytest

from tests.support.community import FAST_HASHERS


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """MD5 only here, so tests don't spend seconds on Argon2 (production uses Argon2)."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def arxiv_api(settings):  # type: ignore[no-untyped-def]
    """A local server replaying the recorded arXiv API responses; settings point at it."""
    from tests.sources.sourcedata import ReplayServer, Reply, query_key, recorded_api

    replies = recorded_api()

    def respond(path: str, query: dict[str, str]) -> Reply:
        if path != "/api/query":
            return Reply(404, b"not found")
        return replies.get(query_key(query)) or Reply(404, b"no recording")

    server = ReplayServer()
    server.responder = respond
    settings.ARXIV_API_URL = f"{server.url}/api/query"
    settings.ARXIV_REQUEST_INTERVAL = 0
    settings.ARXIV_RETRY_BACKOFF = 0
    settings.ARXIV_MAX_RETRIES = 0
    yield server
    server.close()
