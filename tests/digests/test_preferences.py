"""The preferences page and unsubscribing, reached by signed links."""

from __future__ import annotations

import pytest
from django.test import Client

from paperfeed.digests import tokens
from paperfeed.digests.models import SendLog, Subscriber
from tests.digests.helpers import subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def sub():
    return subscriber("prefs@example.org")


def _url(kind, sub):
    return f"/digests/{kind}/{tokens.manage_token(sub)}"


def _csrf_client(url):
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200
    return client, page.cookies["csrftoken"].value


def test_preferences_page_saves(sub):
    url = _url("preferences", sub)
    client, csrf = _csrf_client(url)
    page = client.get(url).content.decode()
    assert "prefs@example.org" in page and 'name="frequency"' in page
    # trending, categories, saved searches, picked for you
    assert page.count('name="sections"') == 4
    response = client.post(
        url,
        {
            "csrfmiddlewaretoken": csrf,
            "action": "save",
            "frequency": "weekly",
            "sections": ["trending", "categories"],
            "categories": "cs.CV, cs.CL cs.CV",
            "searches": "  diffusion   models \n\nsign language\ndiffusion models",
            "max_papers": "20",
            "paused": "on",
        },
    )
    assert response.status_code == 200 and b"Saved." in response.content
    sub.refresh_from_db()
    assert sub.searches == ["diffusion models", "sign language"]
    assert (sub.frequency, sub.sections, sub.categories, sub.max_papers, sub.paused) == (
        "weekly",
        ["trending", "categories"],
        ["cs.CL", "cs.CV"],
        20,
        True,
    )
    assert sub.status == "paused"


@pytest.mark.parametrize(
    "change",
    [
        {"categories": "cs.XX"},
        {"categories": "<script>"},
        {"sections": []},
        {"sections": ["categories"], "categories": ""},
        {"max_papers": "1000"},
        {"frequency": "hourly"},
        {"categories": ",".join(["cs.CV"] * 5 + ["cs.CL"]) + "x" * 500},
        {"sections": ["searches"], "searches": ""},
        {"searches": "\n".join(f"query {i}" for i in range(6))},
        {"searches": "x" * 201},
    ],
)
def test_bad_preferences_are_refused(sub, change):
    url = _url("preferences", sub)
    client, csrf = _csrf_client(url)
    data = {
        "csrfmiddlewaretoken": csrf,
        "action": "save",
        "frequency": "daily",
        "sections": ["trending"],
        "categories": "",
        "max_papers": "10",
        **change,
    }
    assert client.post(url, data).status_code == 400
    sub.refresh_from_db()
    assert (sub.frequency, sub.categories, sub.max_papers) == ("daily", [], 10)


def test_preferences_post_needs_csrf(sub):
    client = Client(enforce_csrf_checks=True)
    assert client.post(_url("preferences", sub), {"action": "unsubscribe"}).status_code == 403
    sub.refresh_from_db()
    assert sub.status == "active"


def test_unsubscribe_and_resubscribe_from_preferences(sub):
    url = _url("preferences", sub)
    client, csrf = _csrf_client(url)
    client.post(url, {"csrfmiddlewaretoken": csrf, "action": "unsubscribe"})
    sub.refresh_from_db()
    assert sub.status == "unsubscribed"
    client.post(url, {"csrfmiddlewaretoken": csrf, "action": "resubscribe"})
    sub.refresh_from_db()
    assert sub.status == "active"


def test_delete_my_data(sub):
    SendLog.objects.create(subscriber=sub, period_key="daily:2026-01-01", state="sent")
    url = _url("preferences", sub)
    client, csrf = _csrf_client(url)
    response = client.post(url, {"csrfmiddlewaretoken": csrf, "action": "delete"})
    assert b"Your data is deleted" in response.content
    assert Subscriber.objects.count() == 0 and SendLog.objects.count() == 0
    assert client.get(url).status_code == 400  # the link died with the data


def test_unsubscribe_get_only_asks(sub):
    response = Client().get(_url("unsubscribe", sub))
    assert response.status_code == 200 and b'<form method="post">' in response.content
    sub.refresh_from_db()
    assert sub.status == "active"


def test_one_click_unsubscribe_needs_no_csrf_token(sub):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        _url("unsubscribe", sub),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.status == "unsubscribed"
    first = sub.unsubscribed_at
    assert client.post(_url("unsubscribe", sub)).status_code == 200  # idempotent
    sub.refresh_from_db()
    assert sub.unsubscribed_at == first


@pytest.mark.parametrize("kind", ["preferences", "unsubscribe"])
def test_forged_links_are_refused(sub, kind):
    good = tokens.manage_token(sub)
    client = Client(enforce_csrf_checks=True)
    for token in [good[:-1] + ("x" if good[-1] != "x" else "y"), tokens.confirm_token(sub), "abc"]:
        assert client.get(f"/digests/{kind}/{token}").status_code == 400
        assert client.post(f"/digests/{kind}/{token}").status_code in (400, 403)
    sub.refresh_from_db()
    assert sub.status == "active"


def test_expired_links_are_refused(sub, settings, monkeypatch):
    import time

    from django.core import signing

    url = _url("unsubscribe", sub)
    settings.DIGESTS_MANAGE_MAX_AGE = 60
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 120)
    assert Client().post(url).status_code == 400
    sub.refresh_from_db()
    assert sub.status == "active"


def test_preference_writes_are_rate_limited(sub):
    url = _url("preferences", sub)
    client, csrf = _csrf_client(url)
    codes = [
        client.post(url, {"csrfmiddlewaretoken": csrf, "action": "x"}).status_code
        for _ in range(32)
    ]
    assert codes[:30] == [400] * 30 and codes[30:] == [429, 429]


def test_subscribe_from_account_settings(django_user_model):
    from django.utils import timezone

    from paperfeed.accounts.models import Profile

    user = django_user_model.objects.create_user("Member@Example.org", "Member@Example.org", "pw")
    client = Client(enforce_csrf_checks=True)
    assert client.get("/digests/account").status_code == 302  # log in first
    client.force_login(user)
    page = client.get("/digests/account")
    assert b"Verify your account" in page.content
    assert (
        client.post(
            "/digests/account", {"csrfmiddlewaretoken": page.cookies["csrftoken"].value}
        ).status_code
        == 400
    )

    Profile.objects.update_or_create(user=user, defaults={"email_verified_at": timezone.now()})
    page = client.get("/digests/account")
    assert b"Send me the digest" in page.content
    csrf = page.cookies["csrftoken"].value
    assert client.post("/digests/account").status_code == 403
    response = client.post("/digests/account", {"csrfmiddlewaretoken": csrf})
    assert response.status_code == 302 and "/digests/preferences/" in response["Location"]
    sub = Subscriber.objects.get()
    assert (sub.email, sub.user, sub.status) == ("Member@example.org", user, "active")
    assert b"gets the daily digest" in client.get("/digests/account").content
