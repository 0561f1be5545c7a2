from __future__ import annotations

import json
import time

import pytest

from tests.support.community import FAST_HASHERS
from tests.support.paths import GITHUB


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """MD5 only here, so tests don't spend seconds on Argon2 (production uses Argon2)."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


DROP = {"content-encoding", "content-length", "content-type", "transfer-encoding", "date"}


def _recorded_repositories():  # type: ignore[no-untyped-def]
    """{"/repos/owner/name": (body bytes, headers)} from the real recorded responses."""
    body = (GITHUB / "repos_PyGithub_PyGithub.response.json").read_bytes()
    headers = json.loads((GITHUB / "repos_PyGithub_PyGithub.response_headers.json").read_text())
    recorded = {"/repos/PyGithub/PyGithub": (body, headers)}
    for exchange in json.loads((GITHUB / "octokit_get-repository.raw-fixture.json").read_text()):
        raw = exchange["rawHeaders"]
        pairs = dict(zip(raw[::2], raw[1::2], strict=True))
        recorded[exchange["path"]] = (json.dumps(exchange["response"]).encode(), pairs)
    return recorded


@pytest.fixture
def github(settings):  # type: ignore[no-untyped-def]
    """A local GitHub replaying the recorded repository answers: 200 with their ETag and
    rate-limit headers, 304 to a matching If-None-Match, 404 for anything else.
    ``github.remaining`` overrides X-RateLimit-Remaining; ``github.forbid`` answers 403."""
    from tests.sources.sourcedata import ReplayServer, Reply

    recorded = _recorded_repositories()
    server = ReplayServer()
    server.remaining = None
    server.forbid = False

    def respond(path: str, query: dict[str, str]) -> Reply:
        request = server.requests[-1]
        if path not in recorded:
            return Reply(404, b'{"message": "Not Found"}', content_type="application/json")
        body, headers = recorded[path]
        headers = {k: v for k, v in headers.items() if k.lower() not in DROP}
        if server.remaining is not None:
            headers["X-RateLimit-Remaining"] = str(server.remaining)
            headers["X-RateLimit-Reset"] = str(int(time.time()) + 600)
        if server.forbid:
            return Reply(
                403, b'{"message": "API rate limit exceeded"}', headers, "application/json"
            )
        etag = headers.get("ETag") or headers.get("etag")
        sent = {k.lower(): v for k, v in request.headers.items()}
        if etag and sent.get("if-none-match") == etag:
            return Reply(304, b"", headers, "application/json")
        return Reply(200, body, headers, "application/json; charset=utf-8")

    server.responder = respond
    settings.GITHUB_API_URL = server.url
    settings.GITHUB_TOKEN = "test-token"
    yield server
    server.close()
