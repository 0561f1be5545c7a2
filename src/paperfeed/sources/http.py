"""A polite HTTP client for arXiv: one request per interval, retries, ``Retry-After``.

arXiv asks harvesters for one request every 3 seconds and answers an impatient
client with ``503 Retry-After``; its servers also fail transiently. Every fetcher
goes through :class:`PoliteClient` so those rules live in one place. Nothing here
is a module-level global: each command builds its own client (``from_settings``)
and tests inject ``sleep`` so that waiting is recorded instead of done.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

import httpx

from paperfeed.sources.problems import SourceError, SourceUnreachable

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({500, 502, 503, 504})


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


class PoliteClient:
    """GET with a minimum interval between requests and retries on transient failures.

    - connection errors, timeouts and 500/502/503/504 are retried up to ``max_retries``
      times, waiting ``backoff * 2**attempt`` seconds, or what ``Retry-After`` asks
      for (never more than ``max_wait``); when every try failed, :class:`SourceUnreachable`
      (a :class:`SourceError`) says so;
    - any other status of 400 or more raises :class:`SourceError` naming the URL and
      status, unless the caller lists it in ``accept`` (the arXiv API explains a
      400 in an Atom body that the caller wants to read).
    """

    def __init__(
        self,
        *,
        user_agent: str = "paperfeed",
        min_interval: float = 3.0,
        max_retries: int = 4,
        backoff: float = 5.0,
        max_wait: float = 600.0,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.min_interval = min_interval
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._sleep = sleep
        self._clock = clock
        self._last_request: float | None = None
        self._http = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=timeout,
            follow_redirects=True,
            transport=transport,
        )
        self.requests_sent = 0

    @classmethod
    def from_settings(cls, **overrides: Any) -> PoliteClient:
        """A client configured from Django settings (tests override them)."""
        from django.conf import settings

        options: dict[str, Any] = {
            "user_agent": settings.HTTP_USER_AGENT,
            "min_interval": float(settings.ARXIV_REQUEST_INTERVAL),
            "max_retries": int(settings.ARXIV_MAX_RETRIES),
            "backoff": float(settings.ARXIV_RETRY_BACKOFF),
        }
        options.update(overrides)
        return cls(**options)

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def wait(self, seconds: float, why: str, level: int = logging.INFO) -> None:
        if seconds > 0:
            log.log(level, "waiting %.1f s (%s)", seconds, why)
            self._sleep(seconds)

    def _respect_interval(self) -> None:
        if self._last_request is None or self.min_interval <= 0:
            return
        remaining = self.min_interval - (self._clock() - self._last_request)
        self.wait(remaining, "request interval")

    def get(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        *,
        accept: Collection[int] = (),
    ) -> httpx.Response:
        """The response to ``GET url?params``; raises SourceError when it can't be had."""
        full_url = str(httpx.URL(url, params=dict(params) if params else None))
        attempt = 0
        while True:
            self._respect_interval()
            self._last_request = self._clock()
            self.requests_sent += 1
            asked_for = False
            try:
                response = self._http.get(full_url)
            except httpx.TransportError as exc:
                failure = f"{type(exc).__name__}: {exc}"
                delay = self.backoff * 2**attempt
            else:
                if response.status_code < 400 or response.status_code in accept:
                    return response
                failure = f"HTTP {response.status_code} {response.reason_phrase}"
                if response.status_code not in RETRY_STATUSES:
                    raise SourceError(full_url, failure + _snippet(response))
                delay = self.backoff * 2**attempt
                asked = parse_retry_after(response.headers.get("Retry-After"))
                if asked is not None:
                    delay, asked_for = asked, True
            if attempt >= self.max_retries:
                raise SourceUnreachable(
                    full_url, f"{failure} (gave up after {attempt + 1} attempts)"
                )
            attempt += 1
            # A wait the server asked for can be long, so it is said; backoff waits are
            # details of the one outcome that matters (the answer, or SourceUnreachable).
            level = logging.INFO if asked_for else logging.DEBUG
            self.wait(min(delay, self.max_wait), f"{failure}, retry {attempt}", level)


def _snippet(response: httpx.Response) -> str:
    """The start of a plain-text or XML error body (an HTML error page says nothing more)."""
    if "html" in response.headers.get("Content-Type", ""):
        return ""
    text = " ".join(response.text.split())
    return f": {text[:200]}" if text else ""
