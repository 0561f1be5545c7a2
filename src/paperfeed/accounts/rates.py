"""Abuse limits for every write, per account and per IP, on the shared counters of
``paperfeed.ratelimit``. Rates are settings (``PAPERFEED_RATE_LIMITS`` overrides any
of ``DEFAULT_RATES``), read at request time so tests and operators can change them."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from paperfeed.ratelimit.limits import client_ip, hit, too_many

DEFAULT_RATES: dict[str, str] = {
    "signup:ip": "10/h",
    "login:ip": "30/10m",
    "login:account": "10/15m",  # failed log-ins to one account, then locked (lockout.py)
    "email:user": "5/h",  # verification and reset emails to one account
    "email:ip": "20/h",
    "vote:user": "120/m",
    "vote:ip": "600/m",
    "submit:user": "20/h",
    "submit:ip": "60/h",
    "collection:user": "120/m",
    "codelink:user": "30/h",
    "comment:user": "30/h",
    "comment:ip": "120/h",
    "comment-delete:user": "60/h",
    "curate:user": "300/m",
    "account:user": "30/h",
    "signal:user": "120/m",  # recommender signals, follows, claims
    "recommend:ip": "60/m",  # the stateless recommendations API
    "expensive-read:ip": "120/m",  # semantic and hybrid search, recommendations
}


def rate(name: str) -> str | None:
    return {**DEFAULT_RATES, **settings.PAPERFEED_RATE_LIMITS}.get(name)


def allowed(scope: str, request: HttpRequest | None = None, *, who: str | None = None) -> int:
    """0 when allowed, else the seconds to wait. Counts per user and per IP where a
    rate exists for ``scope:user`` / ``scope:ip`` (``who`` overrides the user key)."""
    checks: list[tuple[str, str]] = []
    user = getattr(request, "user", None) if request is not None else None
    if who is not None:
        checks.append((f"{scope}:user", who))
    elif user is not None and user.is_authenticated:
        checks.append((f"{scope}:user", f"user:{user.pk}"))
    if request is not None:
        checks.append((f"{scope}:ip", f"ip:{client_ip(request)}"))
    wait = 0
    for name, key in checks:
        text = rate(name)
        if not text:
            continue
        verdict = hit(name, key, text)
        if not verdict.allowed:
            wait = max(wait, verdict.retry_after)
    return wait


def limit(request: HttpRequest, scope: str) -> HttpResponse | None:
    """A 429 response when ``request`` is over the ``scope`` limits, else None."""
    wait = allowed(scope, request)
    return too_many(scope, wait) if wait else None
