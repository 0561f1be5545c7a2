"""Addresses, tokens, SMTP_URL parsing and the .eml backend."""

from __future__ import annotations

import email
import email.policy
import time

import pytest
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection

from paperfeed.digests import tokens
from paperfeed.digests.addresses import BadAddress, normalise
from paperfeed.digests.smtp_url import EML_BACKEND, SMTP_BACKEND, BadSmtpUrl, email_settings
from tests.digests.helpers import subscriber


def test_normalise_lowercases_the_domain_only():
    assert normalise("  Ada.Lovelace@Example.ORG ") == "Ada.Lovelace@example.org"
    assert normalise("x@BÜCHER.example") == "x@bücher.example"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "plain",
        "a@",
        "@b.org",
        "a b@c.org",
        "a@@b.org",
        "a@b",
        "a@-b.org",
        "x" * 250 + "@b.org",
        "a@b.org\nBcc: c@d.org",
        "<a@b.org>",
    ],
)
def test_malformed_addresses_are_refused(bad):
    with pytest.raises(BadAddress):
        normalise(bad)


@pytest.mark.django_db
def test_tokens_round_trip_and_are_purpose_bound():
    sub = subscriber("t@example.org", confirmed=False)
    assert tokens.subscriber_for_confirm(tokens.confirm_token(sub)) == sub
    assert tokens.subscriber_for_manage(tokens.manage_token(sub)) == sub
    with pytest.raises(tokens.BadToken):  # a confirm token is not a manage token
        tokens.subscriber_for_manage(tokens.confirm_token(sub))
    with pytest.raises(tokens.BadToken):
        tokens.subscriber_for_confirm(tokens.manage_token(sub))


@pytest.mark.django_db
def test_forged_tokens_are_refused():
    sub = subscriber("f@example.org")
    other = subscriber("g@example.org")
    good = tokens.manage_token(sub)
    forged = [
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        signing.dumps([other.pk, sub.key], salt=tokens.MANAGE_SALT),  # wrong key
        signing.dumps([sub.pk, sub.key], salt=tokens.MANAGE_SALT, key="not-the-secret"),
        signing.dumps({"s": sub.pk}, salt=tokens.MANAGE_SALT),
        "",
        "x" * 400,
    ]
    for token in forged:
        with pytest.raises(tokens.BadToken):
            tokens.subscriber_for_manage(token)


@pytest.mark.django_db
def test_tokens_expire(settings, monkeypatch):
    sub = subscriber("e@example.org", confirmed=False)
    confirm, manage = tokens.confirm_token(sub), tokens.manage_token(sub)
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 4 * 86400)
    with pytest.raises(tokens.BadToken, match="expired"):  # default: 3 days
        tokens.subscriber_for_confirm(confirm)
    assert tokens.subscriber_for_manage(manage) == sub  # 180 days
    settings.DIGESTS_MANAGE_MAX_AGE = 86400
    with pytest.raises(tokens.BadToken, match="expired"):
        tokens.subscriber_for_manage(manage)


@pytest.mark.django_db
def test_rekeying_revokes_manage_links():
    sub = subscriber("k@example.org")
    token = tokens.manage_token(sub)
    sub.key = "something-else"
    sub.save()
    with pytest.raises(tokens.BadToken):
        tokens.subscriber_for_manage(token)


def test_smtp_url():
    assert email_settings("") == {"EMAIL_BACKEND": EML_BACKEND}
    assert email_settings(None) == {"EMAIL_BACKEND": EML_BACKEND}
    s = email_settings("smtp://me%40x.org:p%3Ass@mail.example.org:587?starttls=1&timeout=7")
    assert s == {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "me@x.org",
        "EMAIL_HOST_PASSWORD": "p:ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 7.0,
    }
    s = email_settings("smtps://u:p@mail.example.org")
    assert (s["EMAIL_PORT"], s["EMAIL_USE_SSL"], s["EMAIL_USE_TLS"]) == (465, True, False)
    assert email_settings("smtp://localhost")["EMAIL_PORT"] == 25
    for bad in ["http://x", "smtp://", "smtps://h?starttls=1", "smtp://h:notaport"]:
        with pytest.raises(BadSmtpUrl):
            email_settings(bad)


def test_eml_backend_writes_one_file_per_message(settings):
    settings.EMAIL_BACKEND = EML_BACKEND
    for n in range(3):
        msg = EmailMultiAlternatives(f"hello {n}", "text", "a@example.org", [f"b{n}@example.org"])
        msg.attach_alternative("<p>html</p>", "text/html")
        assert get_connection().send_messages([msg]) == 1
    files = sorted((settings.DATA_DIR / "mail").glob("*.eml"))
    assert len(files) == 3
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert not list((settings.DATA_DIR / "mail").glob(".*.tmp"))
