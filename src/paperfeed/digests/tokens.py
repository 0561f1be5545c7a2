"""Signed, expiring tokens for the links in emails.

Two purposes, each with its own salt so one can never stand in for the other:
- ``confirm``: the double opt-in link; carries the subscriber's one-time nonce, which
  is cleared on confirmation, so a replayed link does nothing.
- ``manage``: preferences and unsubscribe links in every digest; carries the
  subscriber's ``key``, so deleting or re-keying a subscriber revokes old links.

Tokens are never logged. Ages come from settings (tests shorten them):
``DIGESTS_CONFIRM_MAX_AGE`` (default 3 days), ``DIGESTS_MANAGE_MAX_AGE`` (default
180 days: old digests in an inbox must still unsubscribe).
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.core import signing

from paperfeed.digests.models import Subscriber

CONFIRM_SALT = "paperfeed.digests.confirm"
MANAGE_SALT = "paperfeed.digests.manage"


class BadToken(Exception):
    """Forged, expired, revoked or already used."""


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps([subscriber.pk, subscriber.confirm_nonce], salt=CONFIRM_SALT)


def manage_token(subscriber: Subscriber) -> str:
    return signing.dumps([subscriber.pk, subscriber.key], salt=MANAGE_SALT)


def _load(token: str, salt: str, max_age: int) -> tuple[int, str]:
    if not token or len(token) > 300:
        raise BadToken("malformed")
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise BadToken("expired") from None
    except signing.BadSignature:
        raise BadToken("bad signature") from None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or not isinstance(value[1], str)
    ):
        raise BadToken("malformed")
    return value[0], value[1]


def subscriber_for_confirm(token: str) -> Subscriber:
    pk, nonce = _load(token, CONFIRM_SALT, int(settings.DIGESTS_CONFIRM_MAX_AGE))
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if (
        subscriber is None
        or not subscriber.confirm_nonce
        or not hmac.compare_digest(subscriber.confirm_nonce, nonce)
    ):
        raise BadToken("used or revoked")
    return subscriber


def subscriber_for_manage(token: str) -> Subscriber:
    pk, key = _load(token, MANAGE_SALT, int(settings.DIGESTS_MANAGE_MAX_AGE))
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if subscriber is None or not hmac.compare_digest(subscriber.key, key):
        raise BadToken("revoked")
    return subscriber
