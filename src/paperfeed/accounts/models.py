"""A reader's profile beside Django's ``auth.User`` (whose username is the email), and
the session table, which knows whose each session is."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=80, blank=True)
    affiliation = models.CharField(max_length=200, blank=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    banned = models.BooleanField(default=False, help_text="banned by a curator")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


def display_name(user) -> str:
    """What the site shows for an account: its display name, or the email's local part."""
    if user is None:
        return "a former member"
    profile = getattr(user, "profile", None)
    if profile is not None and profile.display_name:
        return profile.display_name
    return (user.email or user.get_username()).split("@")[0]


class Session(AbstractBaseSession):
    """A session row as Django's own, plus the logged-in account's id in an indexed
    column, so ending an account's sessions (a ban, a deletion) is one indexed DELETE
    instead of decoding every session on the site. Filled from ``_auth_user_id`` on
    every save by :class:`paperfeed.accounts.sessions.SessionStore`; null for
    anonymous sessions. A plain integer, not a foreign key: a session saved just as
    its account is deleted must not fail the request."""

    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    @classmethod
    def get_session_store_class(cls):
        from paperfeed.accounts.sessions import SessionStore

        return SessionStore
