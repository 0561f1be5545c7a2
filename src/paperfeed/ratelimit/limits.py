"""Fixed-window rate limits shared by every process through the database.

    from paperfeed.ratelimit.limits import ratelimit

    @ratelimit("vote", "30/m", by="user")       # and by="ip" (the default)
    def vote(request, ...): ...

A request over the limit gets HTTP 429 with Retry-After. ``hit()`` is the same
check for code that is not a view (an email send, a management command).
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

from paperfeed.ratelimit.models import Counter

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"10/m"``, ``"100/h"``, ``"5/10m"``."""
        count, _, period = text.partition("/")
        unit = period[-1]
        multiple = int(period[:-1] or 1)
        if unit not in _UNITS or int(count) < 1:
            raise ValueError(f"bad rate {text!r}: expected e.g. 10/m, 100/h, 5/10m")
        return cls(int(count), multiple * _UNITS[unit])


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    hits: int
    limit: int
    retry_after: int


def _key(scope: str, who: str) -> str:
    # Hash the identity: IPs and emails are not kept in clear text in this table.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{who}".encode()).hexdigest()[:32]
    return f"{scope}:{digest}"


def hit(scope: str, who: str, rate: str | Rate, now: float | None = None) -> Verdict:
    """Count one hit for (scope, who) and say whether it is within the rate."""
    rate = Rate.parse(rate) if isinstance(rate, str) else rate
    if not settings.RATELIMIT_ENABLED:
        return Verdict(True, 0, rate.limit, 0)
    now = time.time() if now is None else now
    window = int(now // rate.seconds) * rate.seconds
    hits = _count(_key(scope, who), window)
    if hits == 1:  # first hit of a new window: forget windows long gone
        Counter.objects.filter(window__lt=now - 86400 * 2).delete()
    retry_after = int(window + rate.seconds - now) + 1
    return Verdict(hits <= rate.limit, hits, rate.limit, retry_after)


def _count(key: str, window: int) -> int:
    """Add one to the (key, window) row, creating it at 1, and return its hits.

    One statement, atomic on SQLite and PostgreSQL alike (both have ``ON CONFLICT DO
    UPDATE ... RETURNING``): two processes counting the same new key cannot both
    create it, and no hit is lost between an increment and the read of the total.
    Every search and every write passes here, so its round trips are every such
    request's: the ORM's update, then create on a miss (in a savepoint, retried as an
    update when another process won), then a read took three to six, where one does.
    """
    quote = connection.ops.quote_name
    table = quote(Counter._meta.db_table)
    key_col, window_col, hits_col = quote("key"), quote("window"), quote("hits")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_col}, {window_col}, {hits_col}) VALUES (%s, %s, 1)"
            f" ON CONFLICT ({key_col}, {window_col})"
            f" DO UPDATE SET {hits_col} = {table}.{hits_col} + 1 RETURNING {hits_col}",
            [key, window],
        )
        return int(cursor.fetchone()[0])


def peek(scope: str, who: str, rate: str | Rate, now: float | None = None) -> Verdict:
    """The verdict ``hit`` would give for the hits counted so far, without counting one:
    for limits on failures, checked before an attempt and counted only when it fails."""
    rate = Rate.parse(rate) if isinstance(rate, str) else rate
    if not getattr(settings, "RATELIMIT_ENABLED", True):
        return Verdict(True, 0, rate.limit, 0)
    now = time.time() if now is None else now
    window = int(now // rate.seconds) * rate.seconds
    row = Counter.objects.filter(key=_key(scope, who), window=window).first()
    hits = row.hits if row else 0
    return Verdict(hits < rate.limit, hits, rate.limit, int(window + rate.seconds - now) + 1)


def clear(scope: str, who: str) -> None:
    """Forget every hit counted for (scope, who), e.g. failed log-ins once the
    account's owner has proved who they are by resetting the password."""
    Counter.objects.filter(key=_key(scope, who)).delete()


def client_ip(request: HttpRequest) -> str:
    """The address of the client as the outermost trusted proxy saw it.

    With ``PAPERFEED_TRUSTED_PROXIES`` = 0 (the default) ``X-Forwarded-For`` is ignored:
    anyone can send it, so trusting it would let a client pick its own rate-limit key.
    With N proxies in front, each appends the address it saw, so the N-th entry from the
    right was written by the outermost proxy and everything left of it by the client.
    """
    trusted = getattr(settings, "PAPERFEED_TRUSTED_PROXIES", 0)
    remote = request.META.get("REMOTE_ADDR", "")
    if trusted <= 0:
        return remote
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [e for e in entries if e]
    if not entries:
        return remote
    # Fewer entries than proxies: the request skipped the outer ones; the leftmost was
    # still written by a proxy we trust.
    return entries[-trusted] if len(entries) >= trusted else entries[0]


def too_many(scope: str, wait: int) -> HttpResponse:
    """The one answer to a request over any limit: 429 with ``Retry-After``."""
    response = HttpResponse(
        f"Too many requests ({scope}). Try again in {wait} s.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(wait)
    return response


def ratelimit(scope: str, rate: str, by: str = "ip") -> Callable:
    """Limit a view. ``by="user"`` counts per account (per IP for anonymous users)."""
    parsed = Rate.parse(rate)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in ("GET", "HEAD", "OPTIONS"):
                return view(request, *args, **kwargs)
            user = getattr(request, "user", None)
            if by == "user" and user is not None and user.is_authenticated:
                who = f"user:{user.pk}"
            else:
                who = f"ip:{client_ip(request)}"
            verdict = hit(scope, who, parsed)
            if not verdict.allowed:
                return too_many(scope, verdict.retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
