"""Subscribing: the form on every page, double opt-in confirmation.

The answer to a subscribe request is the same whether the address is new, pending,
confirmed or suppressed, so the form reveals nothing about who subscribes. Only new,
pending or unsubscribed addresses get a confirmation mail (at most
``DIGESTS_CONFIRM_MAILS_PER_DAY`` per address); an unconfirmed address gets nothing
else.

The subscribe view is CSRF-exempt on purpose: the form sits in the footer of public,
HTTP-cached pages (a per-visitor token cannot be baked into them), and the request
uses no ambient authority (no session, no cookie): a forged post can do no more than
a direct one, which the double opt-in and the rate limits cover. Every other form
(confirm, preferences) keeps Django's CSRF check.
"""

from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from paperfeed.digests.addresses import MAX_LENGTH, BadAddress, normalise
from paperfeed.digests.compose import absolute
from paperfeed.digests.models import Subscriber, new_key
from paperfeed.digests.tokens import BadToken, confirm_token, manage_token, subscriber_for_confirm
from paperfeed.ratelimit.limits import hit, ratelimit

log = logging.getLogger("paperfeed.digests")


class SubscribeForm(forms.Form):
    email = forms.CharField(max_length=MAX_LENGTH, strip=True)
    # A honeypot: people never see it, form-filling bots often fill it.
    website = forms.CharField(required=False, max_length=200)

    def clean_email(self) -> str:
        try:
            return normalise(self.cleaned_data["email"])
        except BadAddress as exc:
            raise forms.ValidationError(str(exc)) from None


def request_subscription(email: str) -> Subscriber | None:
    """Record the request and mail a confirmation link when one is due. ``email`` is
    already normalised. Returns the subscriber (None when nothing was recorded)."""
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(email=email)
    if subscriber.suppressed_at:
        return subscriber
    if subscriber.confirmed_at and not subscriber.unsubscribed_at:
        return subscriber  # already receiving digests: nothing to do, nothing to say
    if not subscriber.confirm_nonce:
        subscriber.confirm_nonce = new_key()
        subscriber.save(update_fields=["confirm_nonce"])
    per_day = settings.DIGESTS_CONFIRM_MAILS_PER_DAY
    if not hit("digest-confirm-mail", email, f"{per_day}/d").allowed:
        log.info("confirmation mail for subscriber %s held back (rate)", subscriber.pk)
        return subscriber
    send_confirmation(subscriber)
    return subscriber


def send_confirmation(subscriber: Subscriber) -> None:
    url = absolute(reverse("digests:confirm", args=[confirm_token(subscriber)]))
    max_age = int(settings.DIGESTS_CONFIRM_MAX_AGE)
    text = render_to_string(
        "digests/email/confirm.txt",
        {
            "email": subscriber.email,
            "confirm_url": url,
            "days": max(1, max_age // 86400),
            "site_url": absolute("/"),
        },
    )
    try:
        send_mail(
            "Confirm your paperfeed digest subscription",
            text,
            settings.PAPERFEED_FROM_EMAIL,
            [subscriber.email],
        )
    except Exception:  # the answer must not depend on the mail server either
        log.exception("could not send the confirmation mail to subscriber %s", subscriber.pk)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit("digest-subscribe", settings.DIGESTS_SUBSCRIBE_RATE)
def subscribe(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "digests/subscribe.html", {"form": SubscribeForm()})
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "digests/subscribe.html", {"form": form}, status=400)
    if not form.cleaned_data["website"]:
        request_subscription(form.cleaned_data["email"])
    return render(request, "digests/subscribe_done.html", {"email": form.cleaned_data["email"]})


def bad_link(request: HttpRequest) -> HttpResponse:
    return render(request, "digests/bad_link.html", status=400)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit("digest-confirm", "30/m")
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners that follow links confirm nothing); POST confirms."""
    try:
        subscriber = subscriber_for_confirm(token)
    except BadToken:
        return bad_link(request)
    if request.method != "POST":
        return render(request, "digests/confirm.html", {"subscriber": subscriber})
    now = timezone.now()
    Subscriber.objects.filter(pk=subscriber.pk, confirm_nonce=subscriber.confirm_nonce).update(
        confirmed_at=subscriber.confirmed_at or now, unsubscribed_at=None, confirm_nonce=""
    )
    subscriber.refresh_from_db()
    return redirect(reverse("digests:preferences", args=[manage_token(subscriber)]) + "?welcome=1")


def _verified_email(user) -> str | None:
    """The account's address when the accounts app has verified it."""
    profile = getattr(user, "profile", None)
    if profile is None or not getattr(profile, "email_verified_at", None):
        return None
    try:
        return normalise(user.email)
    except BadAddress:
        return None


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit("digest-account", "20/h", by="user")
def account(request: HttpRequest) -> HttpResponse:
    """Digest subscription from account settings (``/digests/account``): a verified
    account address needs no second opt-in; the subscription stays keyed by email and
    is linked to the account."""
    email = _verified_email(request.user)
    subscriber = Subscriber.objects.filter(email=email).first() if email else None
    if request.method != "POST":
        return render(request, "digests/account.html", {"email": email, "subscriber": subscriber})
    if email is None:
        return render(
            request, "digests/account.html", {"email": None, "subscriber": None}, status=400
        )
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(email=email)
        if subscriber.suppressed_at:
            return render(request, "digests/account.html",
                          {"email": email, "subscriber": subscriber}, status=409)  # fmt: skip
        subscriber.user = request.user  # type: ignore[assignment]  # django-stubs: @login_required does not narrow request.user
        subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.confirm_nonce = ""
        subscriber.save(update_fields=["user", "confirmed_at", "unsubscribed_at", "confirm_nonce"])
    return redirect(reverse("digests:preferences", args=[manage_token(subscriber)]))
