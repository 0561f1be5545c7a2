"""Sign up (verified by email), log in and out, reset a password, profile, delete."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from paperfeed import panels
from paperfeed.accounts import forms
from paperfeed.accounts.lockout import count_failure, login_guard, unlock
from paperfeed.accounts.models import Profile
from paperfeed.accounts.rates import allowed, limit
from paperfeed.accounts.verification import (
    password_mark,
    read_token,
    send_already_registered,
    send_verification,
)

log = logging.getLogger(__name__)


# The session that chose an account's password at sign-up: only it is logged in by the
# confirmation link (anyone else must give that password, or choose a new one).
PENDING = "paperfeed.accounts.pending"


def _mail(request, send, user) -> None:
    """Send one account email within the per-account limit; failures are logged, not
    shown: the page must read the same whatever happened."""
    if allowed("email", request, who=f"user:{user.pk}"):
        return
    try:
        send(user)
    except OSError:
        log.exception("could not send an account email to account %s", user.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    """Sign up. The answer is "check your email" for every well-formed request, and
    only the email tells what happened: an existing account (confirmed or not) keeps
    its password, so signing up with someone's address takes nothing over."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = forms.SignupForm(request.POST or None)
    if request.method == "POST":
        if (response := limit(request, "signup")) is not None:
            return response
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                user = User.objects.select_for_update().filter(username=data["email"]).first()
                created = user is None
                if created:
                    user = User(username=data["email"], email=data["email"], is_active=False)
                    user.set_password(data["password1"])
                    user.save()
                    Profile.objects.create(user=user, display_name=data["display_name"])
                else:
                    make_password(data["password1"])  # the same time spent either way
            profile = getattr(user, "profile", None)
            if created:
                request.session[PENDING] = [user.pk, password_mark(user)]
                _mail(request, send_verification, user)
            elif profile is not None and profile.banned:
                pass
            elif user.is_active:
                _mail(request, send_already_registered, user)
            else:
                _mail(request, lambda u: send_verification(u, again=True), user)
            return render(request, "accounts/signup_done.html", {"email": data["email"]})
    return render(
        request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200
    )


def _confirm(request, user, profile) -> None:
    user.is_active = True
    user.save(update_fields=["is_active"])
    profile.email_verified_at = timezone.now()
    profile.save(update_fields=["email_verified_at"])
    request.session.pop(PENDING, None)
    auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, token: str):
    """Confirm an address. The session that signed up is logged in at once; any other
    must give the account's password or choose a new one (the link proves the address,
    not who chose the password)."""
    user = read_token(token)
    if user is None:
        return render(request, "accounts/verify_failed.html", status=400)
    profile, _ = Profile.objects.get_or_create(user=user)
    if profile.banned:
        return render(request, "accounts/verify_failed.html", status=400)
    if user.is_active or profile.email_verified_at:
        # Used before: a link is not a standing way in, log in with the password.
        return render(request, "accounts/verified.html", {"again": True})
    if request.session.get(PENDING) == [user.pk, password_mark(user)]:
        _confirm(request, user, profile)
        return render(request, "accounts/verified.html")
    password_form = forms.ConfirmPasswordForm(user)
    new_form = SetPasswordForm(user)
    if request.method == "POST":
        refused = login_guard(request, user.get_username())
        if refused is not None:
            return refused
        if request.POST.get("action") == "choose":
            new_form = SetPasswordForm(user, request.POST)
            if new_form.is_valid():
                new_form.save()
                unlock(user)
                _confirm(request, user, profile)
                return render(request, "accounts/verified.html")
        else:
            password_form = forms.ConfirmPasswordForm(user, request.POST)
            if password_form.is_valid():
                _confirm(request, user, profile)
                return render(request, "accounts/verified.html")
            count_failure(user.get_username())
    errors = password_form.errors or new_form.errors
    return render(
        request,
        "accounts/verify_confirm.html",
        {"password_form": password_form, "new_form": new_form, "token": token},
        status=400 if errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def resend(request):
    """Send the verification link again to an account that has not confirmed."""
    sent = None
    if request.method == "POST":
        if (response := limit(request, "signup")) is not None:
            return response
        email = request.POST.get("email", "").strip().lower()
        user = User.objects.filter(username=email, is_active=False).first()
        if user is not None and not getattr(getattr(user, "profile", None), "banned", False):
            _mail(request, send_verification, user)
        sent = True  # the same answer whether or not the account exists
    return render(request, "accounts/resend.html", {"sent": sent})


class LoginView(auth_views.LoginView):
    """Log in, then back to the page the reader came from (a ``next`` on this site
    only: Django's LoginView refuses other hosts and schemes)."""

    template_name = "accounts/login.html"
    authentication_form = forms.EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        refused = login_guard(request, request.POST.get("username", ""))
        if refused is not None:
            return refused
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with its link built from PAPERFEED_BASE_URL rather than the Host."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = forms.LimitedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        if (response := limit(request, "email")) is not None:
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.extra_email_context = {"base_url": settings.PAPERFEED_BASE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password also unlocks an account locked by failed log-ins."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        unlock(form.user)
        return response


password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    profile, _ = Profile.objects.get_or_create(user=request.user)
    form = forms.ProfileForm(request.POST or None, instance=profile)
    saved = False
    if request.method == "POST":
        if (response := limit(request, "account")) is not None:
            return response
        if form.is_valid():
            form.save()
            saved = True
    page = {"form": form, "saved": saved, "user": request.user}
    return render(
        request,
        "accounts/profile.html",
        {
            **page,
            # the reverse accessor of community's votes: a count, not an import
            "vote_count": request.user.votes.count(),
            "panels": panels.PROFILE.render(request, request.user, page),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = forms.DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST":
        if (response := limit(request, "account")) is not None:
            return response
        if form.is_valid():
            delete_user(request.user)
            auth.logout(request)
            return render(request, "accounts/deleted.html")
    return render(request, "accounts/delete.html", {"form": form})


def delete_user(user) -> None:
    """Delete an account and everything it made, in one transaction. Each app that
    holds a reader's data removes it in its own ``pre_delete``/``post_delete``
    receiver of the user (foreign keys cascade the rest): accounts ends its sessions
    on every device, community recounts the votes and featured days the account
    fed and moves the pages of the papers it commented on, digests drops the
    subscription of its address with its send log."""
    with transaction.atomic():
        user.delete()
