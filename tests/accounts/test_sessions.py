"""The session engine: Django's database sessions with the account's id in an indexed
column (paperfeed.accounts.sessions), filled at log-in, cleared at log-out, copied over
from Django's own table, and still cleaned by ``clearsessions``."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.conf import settings as project_settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session as DjangoSession
from django.core.management import call_command
from django.utils import timezone

from paperfeed.accounts.models import Session
from paperfeed.accounts.sessions import SessionStore
from tests.support.community import PASSWORD, make_reader

pytestmark = pytest.mark.django_db


def test_the_site_uses_this_engine_and_keeps_its_cookie_settings():
    assert project_settings.SESSION_ENGINE == "paperfeed.accounts.sessions"
    assert project_settings.SESSION_COOKIE_HTTPONLY
    assert SessionStore.get_model_class() is Session
    assert Session.get_session_store_class() is SessionStore


def test_log_in_cycles_the_key_and_fills_the_user_id(client):
    user = make_reader("ada")
    anonymous = client.session  # a session before logging in, as a visitor has
    anonymous["seen"] = True
    anonymous.save()
    before = anonymous.session_key
    assert Session.objects.get(pk=before).user_id is None

    response = client.post("/accounts/login", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies[project_settings.SESSION_COOKIE_NAME].value
    assert after != before and not Session.objects.filter(pk=before).exists()
    row = Session.objects.get(pk=after)
    assert row.user_id == user.pk
    assert row.get_decoded()["seen"] is True  # the visitor's data came along

    client.post("/accounts/logout")
    assert not Session.objects.filter(pk=after).exists()
    assert not Session.objects.filter(user_id=user.pk).exists()


def test_admin_log_in_fills_the_user_id(client):
    admin = make_reader("root", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert response.status_code == 302
    assert Session.objects.get().user_id == admin.pk
    assert client.get("/admin/").status_code == 200


def test_every_save_follows_the_data():
    store = SessionStore()
    store["_auth_user_id"] = "17"
    store.save()
    assert Session.objects.get(pk=store.session_key).user_id == 17
    store["_auth_user_id"] = "not a number"
    store.save()
    assert Session.objects.get(pk=store.session_key).user_id is None


def test_sessions_in_djangos_table_decode_and_are_copied_over():
    """The data's signing salt is made from the class name, which both engines share;
    the migration moves live sessions across with their user id and drops the rest."""
    migration = importlib.import_module("paperfeed.accounts.migrations.0003_copy_sessions")
    user = make_reader()
    old = DjangoStore()
    old["_auth_user_id"] = str(user.pk)
    old.save()
    visitor = DjangoStore()
    visitor["seen"] = True
    visitor.save()
    DjangoSession.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - dt.timedelta(1)
    )

    from django.apps import apps

    migration.forwards(apps, None)
    assert not DjangoSession.objects.exists()
    rows = dict(Session.objects.values_list("session_key", "user_id"))
    assert rows == {old.session_key: user.pk, visitor.session_key: None}
    assert SessionStore(old.session_key).load()["_auth_user_id"] == str(user.pk)

    migration.backwards(apps, None)
    assert not Session.objects.exists()
    assert DjangoStore(visitor.session_key).load() == {"seen": True}


def test_clearsessions_removes_the_expired_ones():
    live, expired = SessionStore(), SessionStore()
    live["a"] = expired["a"] = 1
    expired.set_expiry(-10)
    live.save()
    expired.save()
    call_command("clearsessions")
    assert list(Session.objects.values_list("pk", flat=True)) == [live.session_key]
