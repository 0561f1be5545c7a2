"""Email verification: a signed, expiring link naming the account and its address.

Links are built from ``PAPERFEED_BASE_URL``, never from the request's Host header,
which a client chooses."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac

SALT = "paperfeed.accounts.verify"


def password_mark(user) -> str:
    """Binds a link to the password chosen at that sign-up: signing up again for the
    same pending address (which replaces the password) voids the earlier links."""
    return salted_hmac(SALT, user.password, algorithm="sha256").hexdigest()[:16]


def make_token(user) -> str:
    return signing.dumps(
        {"u": user.pk, "e": user.email, "p": password_mark(user)}, salt=SALT, compress=True
    )


def read_token(token: str):
    """The account the token names, or None when it is forged, expired or stale."""
    max_age = settings.ACCOUNT_VERIFY_MAX_AGE
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    user = get_user_model().objects.filter(pk=data.get("u")).first()
    if user is None or user.email != data.get("e") or data.get("p") != password_mark(user):
        return None
    return user


def site_url(path: str) -> str:
    """An absolute link into the site, for emails."""
    return settings.PAPERFEED_BASE_URL + path


def send_verification(user, again: bool = False) -> None:
    """The confirmation link; ``again`` when someone signed up a second time with the
    address of an account still waiting for it (its password stays the first one)."""
    link = site_url(reverse("accounts:verify", args=[make_token(user)]))
    context = {"user": user, "link": link, "days": 3, "again": again}
    send_mail(
        "Confirm your paperfeed account",
        render_to_string("accounts/email/verify.txt", context),
        None,
        [user.email],
        html_message=render_to_string("accounts/email/verify.html", context),
    )


def send_already_registered(user) -> None:
    """Sign-up with the address of a confirmed account: say so to the address (the
    page answers the same for every address)."""
    context = {
        "login": site_url(reverse("accounts:login")),
        "reset": site_url(reverse("accounts:password_reset")),
    }
    send_mail(
        "Your paperfeed account",
        render_to_string("accounts/email/already_registered.txt", context),
        None,
        [user.email],
    )
