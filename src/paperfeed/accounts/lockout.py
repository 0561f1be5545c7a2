"""Log-in limits shared by the site's log-in and the admin's: per IP, and per account.

Per IP alone does not stop a password guesser with many addresses, so failed log-ins
are also counted per submitted account name (``login:account``, failures only). Past
the limit the account is locked until the window ends, or until its owner resets the
password (:func:`unlock`). Names are counted whether or not an account has them, so the
locked answer says nothing about which accounts exist.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from paperfeed.accounts.rates import allowed, rate
from paperfeed.ratelimit.limits import clear, hit, peek, too_many

SCOPE = "login:account"


def _who(name: str) -> str:
    return f"account:{name.strip().lower()}"


def seconds_locked(name: str) -> int:
    """0 when ``name`` may try to log in, else the seconds until it may."""
    text = rate(SCOPE)
    if not text or not name.strip():
        return 0
    verdict = peek(SCOPE, _who(name), text)
    return 0 if verdict.allowed else verdict.retry_after


def login_guard(request: HttpRequest, name: str) -> HttpResponse | None:
    """The refusal for a log-in attempt over the per-IP or per-account limit, else None.
    Every log-in form (the site's, the admin's, the confirmation page's) calls it first."""
    wait = allowed("login", request)
    if wait:
        return too_many("login", wait)
    wait = seconds_locked(name)
    if wait:
        response = render(
            request, "accounts/locked.html", {"minutes": max(1, (wait + 59) // 60)}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    return None


def count_failure(name: str) -> None:
    text = rate(SCOPE)
    if text and name.strip():
        hit(SCOPE, _who(name), text)


@receiver(user_login_failed, dispatch_uid="paperfeed.accounts.lockout")
def _failed(sender, credentials, request=None, **kwargs) -> None:
    """Every failed ``authenticate()`` (site or admin) counts against the name tried."""
    count_failure(str(credentials.get("username") or ""))


def unlock(user) -> None:
    """Forget the account's failures: its owner just proved control of its email."""
    for name in {user.get_username(), user.email}:
        if name:
            clear(SCOPE, _who(name))
