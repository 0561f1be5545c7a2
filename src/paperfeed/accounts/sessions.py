"""The session engine (``SESSION_ENGINE = "paperfeed.accounts.sessions"``): Django's
database sessions, stored in :class:`paperfeed.accounts.models.Session`, which keeps the
logged-in account's id beside the data so that :func:`end_sessions` is one indexed
DELETE however many sessions the site holds.

Django's own recipe ("Extending database-backed session engines"). The class keeps
the name ``SessionStore``: the data's signing salt is built from the class name, so
sessions written by ``django.contrib.sessions.backends.db`` still decode (the
migration that made the table copied the live ones across). ``clearsessions`` works
unchanged: it calls ``SessionStore.clear_expired()``, which deletes from this model.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from paperfeed.accounts.models import Session


def user_id_of(data: dict[str, Any]) -> int | None:
    """The account id a session's data names (``_auth_user_id``), or None."""
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        # Every save rewrites the whole row, so the column follows log-in, log-out and
        # login()'s key cycling (the new key's row is saved again with the user in it).
        row = super().create_model_instance(data)
        row.user_id = user_id_of(data)
        return row

    async def acreate_model_instance(self, data):
        row = await super().acreate_model_instance(data)
        row.user_id = user_id_of(data)
        return row


def end_sessions(user) -> int:
    """Log an account out everywhere: delete its sessions, in one indexed DELETE.
    Returns how many there were."""
    deleted, _ = Session.objects.filter(user_id=user.pk).delete()
    return deleted
