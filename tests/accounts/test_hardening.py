"""Attacks on accounts: password guessing through the admin and the site, taking over
an unconfirmed account, learning who has an account, poisoned links in account emails."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from tests.support.community import PASSWORD, make_reader

pytestmark = pytest.mark.django_db

OTHER = "the attacker's own passphrase 13"
NEW = "a brand new passphrase 77"


def signup(client, email="ada@example.org", password=PASSWORD, **extra):  # type: ignore[no-untyped-def]
    data = {"email": email, "display_name": "Ada", "password1": password, "password2": password}
    return client.post("/accounts/signup", data, **extra)


def path_in(message) -> str:  # type: ignore[no-untyped-def]
    link = re.search(r"https?://\S+", message.body).group(0)
    assert link.startswith(settings.PAPERFEED_BASE_URL + "/"), link
    return link[len(settings.PAPERFEED_BASE_URL) :]


def logged_in(client) -> str | None:  # type: ignore[no-untyped-def]
    return client.session.get("_auth_user_id")


def assert_refused(client, password: str) -> None:  # type: ignore[no-untyped-def]
    form = client.post("/accounts/login", {"username": "ada@example.org", "password": password})
    assert form.status_code == 200 and logged_in(client) is None


# -- hole 1: the admin's log-in, and a per-account limit on both log-ins


def admin_login(client, username, password, ip="198.51.100.7"):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def test_admin_login_is_limited_per_ip(client, settings):
    settings.PAPERFEED_RATE_LIMITS = {"login:ip": "5/10m", "login:account": "1000/h"}
    User.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)
    codes = [admin_login(client, "root@example.org", f"guess {n}").status_code for n in range(6)]
    assert codes == [200] * 5 + [429]
    refused = admin_login(client, "root@example.org", PASSWORD)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert logged_in(client) is None
    # another address is not held back
    assert admin_login(client, "root@example.org", PASSWORD, ip="203.0.113.5").status_code == 302


def test_admin_account_locks_after_failures_from_many_addresses(client, settings):
    settings.PAPERFEED_RATE_LIMITS = {"login:account": "3/15m"}
    User.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)
    for n in range(3):
        assert admin_login(client, "root@example.org", "wrong", ip=f"10.0.0.{n}").status_code == 200
    locked = admin_login(client, "ROOT@example.org", PASSWORD, ip="10.0.0.99")
    assert locked.status_code == 429 and b"reset your password" in locked.content
    assert logged_in(client) is None


def test_site_account_lock_reads_the_same_for_unknown_accounts_and_unlocks_on_reset(
    client, settings
):
    settings.PAPERFEED_RATE_LIMITS = {"login:account": "3/15m"}
    make_reader("bob")
    for name in ("bob@example.org", "nobody@example.org"):
        for n in range(3):
            client.post(
                "/accounts/login", {"username": name, "password": "x"}, REMOTE_ADDR=f"10.1.{n}.1"
            )
    bob = client.post("/accounts/login", {"username": "bob@example.org", "password": PASSWORD})
    nobody = client.post("/accounts/login", {"username": "nobody@example.org", "password": "x"})
    assert bob.status_code == nobody.status_code == 429
    assert bob.content.replace(b"bob", b"X") == nobody.content.replace(b"nobody", b"X")
    assert b"reset your password" in bob.content and logged_in(client) is None
    # resetting the password unlocks the account at once
    client.post("/accounts/password-reset", {"email": "bob@example.org"})
    form = client.get(path_in(mail.outbox[-1]), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    ok = client.post("/accounts/login", {"username": "bob@example.org", "password": NEW})
    assert ok.status_code == 302 and logged_in(client)


def test_successful_log_ins_do_not_lock(client, settings):
    settings.PAPERFEED_RATE_LIMITS = {"login:account": "2/15m"}
    make_reader("bob")
    for _ in range(4):
        client.post("/accounts/login", {"username": "bob@example.org", "password": PASSWORD})
        assert logged_in(client)
        client.post("/accounts/logout")


# -- hole 2: per-IP limits behind a proxy


def test_rotating_x_forwarded_for_does_not_escape_the_login_limit(client, settings):
    settings.PAPERFEED_RATE_LIMITS = {"login:ip": "3/10m", "login:account": "1000/h"}
    for trusted in (0, 1):
        settings.PAPERFEED_TRUSTED_PROXIES = trusted
        codes = [
            client.post(
                "/accounts/login",
                {"username": f"u{trusted}@example.org", "password": "x"},
                REMOTE_ADDR="127.0.0.1",  # the proxy
                HTTP_X_FORWARDED_FOR=f"10.9.{trusted}.{n}, 203.0.113.{trusted + 1}",
            ).status_code
            for n in range(4)
        ]
        assert codes == [200, 200, 200, 429], trusted


# -- hole 3: taking over an account before it is confirmed


def test_a_second_signup_never_changes_the_password_and_cannot_log_in(settings):
    victim, attacker = Client(), Client()
    assert signup(victim).status_code == 200
    assert signup(attacker, password=OTHER).status_code == 200
    user = User.objects.get(username="ada@example.org")
    assert user.check_password(PASSWORD) and not user.check_password(OTHER)
    first, second = mail.outbox
    assert "signed up again" in second.body
    # the owner confirms from the browser that signed up: logged in
    assert victim.get(path_in(first)).status_code == 200 and logged_in(victim) == str(user.pk)
    assert_refused(attacker, OTHER)


def test_the_link_logs_in_only_the_session_that_chose_the_password():
    attacker, owner = Client(), Client()
    signup(attacker, password=OTHER)  # before the owner does
    signup(owner)  # changes nothing
    user = User.objects.get(username="ada@example.org")
    assert user.check_password(OTHER)
    link = path_in(mail.outbox[-1])
    page = owner.get(link)
    assert page.status_code == 200 and logged_in(owner) is None
    assert b"password chosen at sign-up" in page.content
    assert not User.objects.get(pk=user.pk).is_active
    # the owner of the address chooses a new password: the attacker's stops working
    done = owner.post(link, {"action": "choose", "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 200 and logged_in(owner) == str(user.pk)
    user.refresh_from_db()
    assert user.is_active and user.check_password(NEW) and not user.check_password(OTHER)
    assert_refused(attacker, OTHER)
    assert owner.get(link).status_code == 400  # the link is spent


def test_a_link_opened_elsewhere_asks_for_the_password(client):
    signup(Client())
    link = path_in(mail.outbox[-1])
    wrong = client.post(link, {"action": "password", "password": OTHER})
    assert wrong.status_code == 400 and logged_in(client) is None
    right = client.post(link, {"action": "password", "password": PASSWORD})
    assert right.status_code == 200 and logged_in(client)


# -- signup reveals nothing; account emails use the base URL


def test_signup_answers_the_same_for_every_address_and_the_email_says_why(client):
    make_reader("taken")
    taken = signup(client, email="taken@example.org")
    fresh = signup(Client(), email="fresh@example.org")
    assert taken.status_code == fresh.status_code == 200

    def page(response, email):  # type: ignore[no-untyped-def]
        return re.sub(rb"csrfmiddlewaretoken\" value=\"[^\"]+", b"", response.content).replace(
            email.encode(), b"X"
        )

    assert page(taken, "taken@example.org") == page(fresh, "fresh@example.org")
    told = next(m for m in mail.outbox if m.to == ["taken@example.org"])
    assert "already has an account" in told.body and "password-reset" in told.body
    assert User.objects.get(username="taken@example.org").check_password(PASSWORD)


def test_account_email_links_ignore_the_host_header(client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]
    settings.PAPERFEED_BASE_URL = "https://papers.example.org"
    make_reader("bob")
    signup(client, HTTP_HOST="evil.example")
    client.post("/accounts/password-reset", {"email": "bob@example.org"}, HTTP_HOST="evil.example")
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "evil.example" not in message.body
        assert re.search(r"https://papers\.example\.org/accounts/\S+", message.body)


def test_default_allowed_hosts_leave_out_testserver(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PAPERFEED_ALLOWED_HOSTS"}
    env.update(PAPERFEED_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="paperfeed.settings")
    code = "from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "localhost" in out.stdout and "testserver" not in out.stdout


# -- issue 15: the log-in form names the email; log-in returns to the page


def test_login_error_names_the_email_not_a_username(client):
    page = client.post("/accounts/login", {"username": "nobody@example.org", "password": "x"})
    text = page.content.decode().lower()
    assert "correct email and password" in text and "username" not in text.replace(
        'name="username"', ""
    ).replace('id="id_username"', "").replace('for="id_username"', "")


def test_log_in_link_carries_the_page_and_log_in_returns_to_it(client):
    make_reader("bob")
    page = client.get("/categories?x=1&y=2").content.decode()
    href = re.search(r'href="(/accounts/login[^"]*)"', page).group(1)
    assert href == "/accounts/login?next=/categories%3Fx%3D1%26y%3D2"
    form = client.get(href).content.decode()
    assert 'name="next" value="/categories?x=1&amp;y=2"' in form
    back = client.post(
        "/accounts/login",
        {"username": "bob@example.org", "password": PASSWORD, "next": "/categories?x=1&y=2"},
    )
    assert back.status_code == 302 and back["Location"] == "/categories?x=1&y=2"


def test_log_in_ignores_a_next_off_the_site(client):
    make_reader("bob")
    for evil in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        client.post("/accounts/logout")
        away = client.post(
            "/accounts/login", {"username": "bob@example.org", "password": PASSWORD, "next": evil}
        )
        assert away.status_code == 302 and "evil" not in away["Location"]
        assert away["Location"].startswith("/") and not away["Location"].startswith("//")
