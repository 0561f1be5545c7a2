"""Sign-up with email verification, log in and out, password reset, profile, delete."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail, signing

from paperfeed.accounts.models import Session
from paperfeed.accounts.verification import SALT
from paperfeed.catalogue.models import Paper
from paperfeed.community.models import PaperState, Vote
from paperfeed.community.votes import cast
from tests.support.community import PASSWORD, load_papers, make_reader

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another fine passphrase 7"


def signup(client, email="ada@example.org", password=PASSWORD, name="Ada"):  # type: ignore[no-untyped-def]
    return client.post(
        "/accounts/signup",
        {"email": email, "display_name": name, "password1": password, "password2": password},
    )


def link_in(message) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"https?://\S+", message.body).group(0)


def path_in(message) -> str:  # type: ignore[no-untyped-def]
    """The site path of the message's first link, which is built from the base URL."""
    link = link_in(message)
    assert link.startswith(settings.PAPERFEED_BASE_URL + "/"), link
    return link[len(settings.PAPERFEED_BASE_URL) :]


def test_signup_confirm_by_emailed_link_then_log_in(client):
    response = signup(client, email="Ada@Example.org")
    assert response.status_code == 200 and b"Check your email" in response.content
    user = User.objects.get(username="ada@example.org")
    assert not user.is_active and user.profile.display_name == "Ada"
    # cannot log in before confirming
    assert (
        client.post(
            "/accounts/login", {"username": "ada@example.org", "password": PASSWORD}
        ).status_code
        == 200
    )
    assert "_auth_user_id" not in client.session

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"] and "Confirm" in message.subject
    assert message.alternatives and "text/html" in message.alternatives[0][1]
    path = path_in(message)
    confirmed = client.get(path)
    assert confirmed.status_code == 200 and b"confirmed" in confirmed.content
    user.refresh_from_db()
    assert user.is_active and user.profile.email_verified_at is not None
    assert client.session["_auth_user_id"] == str(user.pk)

    client.post("/accounts/logout")
    assert "_auth_user_id" not in client.session
    # the link does not log anyone in a second time
    assert b"already confirmed" in client.get(path).content
    assert "_auth_user_id" not in client.session
    ok = client.post("/accounts/login", {"username": "ADA@example.org", "password": PASSWORD})
    assert ok.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_bad_and_expired_links_are_refused(client, settings):
    signup(client)
    path = path_in(mail.outbox[0])
    assert client.get(path[:-3] + "abc").status_code == 400
    forged = signing.dumps({"u": 1, "e": "ada@example.org"}, salt="other", compress=True)
    assert client.get(f"/accounts/verify/{forged}").status_code == 400
    settings.ACCOUNT_VERIFY_MAX_AGE = -1  # every link is now too old
    assert client.get(path).status_code == 400
    assert not User.objects.get(username="ada@example.org").is_active
    assert SALT in "paperfeed.accounts.verify"


def test_signup_form_errors(client):
    assert signup(client, password="short").status_code == 400
    mismatch = client.post(
        "/accounts/signup",
        {"email": "b@example.org", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    assert mismatch.status_code == 400 and b"differ" in mismatch.content
    assert mail.outbox == []


def test_passwords_are_hashed_with_argon2(settings):
    import paperfeed.settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = make_reader()
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)


def test_password_reset_by_email(client):
    user = make_reader("bob")
    page = client.get("/accounts/password-reset")
    assert page.status_code == 200
    sent = client.post("/accounts/password-reset", {"email": "bob@example.org"})
    assert sent.status_code == 302
    assert len(mail.outbox) == 1 and "Reset" in mail.outbox[0].subject
    path = path_in(mail.outbox[0])
    form = client.get(path, follow=True)
    assert form.status_code == 200 and b"new password" in form.content.lower()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # unknown address: same answer, no email
    client.post("/accounts/password-reset", {"email": "nobody@example.org"})
    assert len(mail.outbox) == 1


def test_profile_edit(client):
    assert client.get("/accounts/profile").status_code == 302  # anonymous: to log in
    user = make_reader("carol")
    client.force_login(user)
    page = client.get("/accounts/profile")
    assert page.status_code == 200 and b"carol@example.org" in page.content
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    client.post("/accounts/profile", {"display_name": "Carol C.", "affiliation": "ETH"})
    user.profile.refresh_from_db()
    assert (user.profile.display_name, user.profile.affiliation) == ("Carol C.", "ETH")
    # the header shows the name and a log-out form
    html = client.get("/trending").content.decode()
    assert "Carol C." in html and 'action="/accounts/logout"' in html


def test_delete_account_with_its_data(client):
    papers = load_papers(20)
    user, other = make_reader("dora"), make_reader("eve")
    for paper in papers[:3]:
        cast(user, paper)
    cast(other, papers[0])
    from paperfeed.digests.models import Subscriber

    Subscriber.objects.create(email=user.email)
    Subscriber.objects.create(email=other.email)
    client.force_login(user)
    phone = type(client)()
    phone.force_login(user)
    wrong = client.post("/accounts/delete", {"password": "nope"})
    assert wrong.status_code == 200 and User.objects.filter(pk=user.pk).exists()
    gone = client.post("/accounts/delete", {"password": PASSWORD})
    assert gone.status_code == 200 and b"gone" in gone.content
    assert not User.objects.filter(pk=user.pk).exists()
    assert Vote.objects.count() == 1
    votes = dict(PaperState.objects.values_list("paper_id", "votes"))
    assert votes[papers[0].pk] == 1 and votes[papers[1].pk] == 0
    assert "_auth_user_id" not in client.session
    assert not Session.objects.filter(user_id=user.pk).exists()  # the phone's too
    assert Paper.objects.count() == 20
    assert list(Subscriber.objects.values_list("email", flat=True)) == [other.email]


def test_signup_is_rate_limited_per_ip(client, settings):
    settings.PAPERFEED_RATE_LIMITS = {"signup:ip": "2/h"}
    assert signup(client, email="a1@example.org").status_code == 200
    assert signup(client, email="a2@example.org").status_code == 200
    third = signup(client, email="a3@example.org")
    assert third.status_code == 429 and int(third["Retry-After"]) > 0
    assert not User.objects.filter(username="a3@example.org").exists()


def test_verification_email_is_limited_per_account(client, settings):
    settings.PAPERFEED_RATE_LIMITS = {"email:user": "2/h"}
    signup(client)
    for _ in range(4):
        client.post("/accounts/verify-again", {"email": "ada@example.org"})
    assert len(mail.outbox) == 2


def test_forms_need_csrf_tokens():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert signup(strict).status_code == 403
    assert strict.post("/accounts/login", {"username": "x@example.org"}).status_code == 403
    page = strict.get("/accounts/signup")
    assert b"csrfmiddlewaretoken" in page.content
