"""GitHub REST client for repository star counts.

- ``GITHUB_TOKEN`` (environment, via settings) is sent as a bearer token when set:
  5,000 requests an hour instead of 60.
- Conditional requests: the ETag of the last answer goes back as ``If-None-Match``;
  a ``304 Not Modified`` costs nothing against the rate limit and means "same stars".
- Rate limits: ``X-RateLimit-Remaining``/``X-RateLimit-Reset`` are read on every
  answer; at zero remaining, or on a 403/429 that says so (or carries
  ``Retry-After``), :class:`RateLimited` is raised with the time to resume, and
  the client sends nothing more until then.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
from django.conf import settings


class GitHubError(Exception):
    pass


class RateLimited(GitHubError):
    def __init__(self, reset_at: float, message: str) -> None:
        super().__init__(message)
        self.reset_at = reset_at


@dataclass(frozen=True)
class RepoAnswer:
    status: int  # 200, 304 or 404
    full_name: str
    stars: int | None
    etag: str


class GitHubClient:
    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        clock=time.time,
        timeout: float = 30.0,
    ) -> None:
        base_url = base_url or settings.GITHUB_API_URL
        token = settings.GITHUB_TOKEN if token is None else token
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": settings.HTTP_USER_AGENT,
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=timeout,
            follow_redirects=True,  # a renamed repository answers 301 to its new name
            transport=transport,
        )
        self._clock = clock
        self.remaining: int | None = None
        self.reset_at: float | None = None
        self.requests_sent = 0

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def _note_limits(self, response: httpx.Response) -> None:
        remaining = response.headers.get("X-RateLimit-Remaining")
        reset = response.headers.get("X-RateLimit-Reset")
        if remaining is not None and remaining.isdigit():
            self.remaining = int(remaining)
        if reset is not None and reset.isdigit():
            self.reset_at = float(reset)

    def repository(self, full_name: str, etag: str = "") -> RepoAnswer:
        """``GET /repos/{owner}/{repo}``, conditional on ``etag``."""
        if self.remaining == 0 and self.reset_at and self._clock() < self.reset_at:
            raise RateLimited(self.reset_at, "GitHub rate limit used up")
        headers = {"If-None-Match": etag} if etag else {}
        try:
            response = self._http.get(f"/repos/{full_name}", headers=headers)
        except httpx.TransportError as exc:
            raise GitHubError(f"{full_name}: {type(exc).__name__}: {exc}") from exc
        self.requests_sent += 1
        self._note_limits(response)
        status = response.status_code
        if status == 304:
            return RepoAnswer(304, full_name, None, etag)
        if status == 404 or status == 451:
            return RepoAnswer(404, full_name, None, "")
        if status in (403, 429):
            retry = response.headers.get("Retry-After")
            if retry and retry.isdigit():
                raise RateLimited(self._clock() + int(retry), f"GitHub asked to wait {retry} s")
            if self.remaining == 0 or status == 429:
                raise RateLimited(self.reset_at or self._clock() + 60, "GitHub rate limit")
            raise GitHubError(f"{full_name}: HTTP {status}")
        if status != 200:
            raise GitHubError(f"{full_name}: HTTP {status}")
        data = response.json()
        return RepoAnswer(
            200,
            data.get("full_name") or full_name,
            int(data.get("stargazers_count") or 0),
            response.headers.get("ETag", ""),
        )
