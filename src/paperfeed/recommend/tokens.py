"""Private reader tokens (the personal feed URL, the personal API token): random,
shown once, stored as a SHA-256 digest, revocable at any time."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from paperfeed.recommend.models import ReaderToken

FEED = ReaderToken.FEED
API = ReaderToken.API


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(user, purpose: str) -> str:
    """A new token for ``purpose``, replacing (so revoking) the previous one."""
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        ReaderToken.objects.filter(user=user, purpose=purpose).delete()
        ReaderToken.objects.create(user=user, purpose=purpose, digest=_digest(raw))
    return raw


def revoke(user, purpose: str) -> None:
    ReaderToken.objects.filter(user=user, purpose=purpose).delete()


def has_token(user, purpose: str) -> bool:
    return ReaderToken.objects.filter(user=user, purpose=purpose).exists()


def user_for(raw: str, purpose: str):
    """The active account holding this token, or None."""
    if not raw or len(raw) > 200:
        return None
    row = (
        ReaderToken.objects.select_related("user")
        .filter(digest=_digest(raw), purpose=purpose, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    ReaderToken.objects.filter(pk=row.pk).update(last_used=timezone.now())
    return row.user
