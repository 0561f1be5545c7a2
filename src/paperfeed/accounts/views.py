"""Sign up (verified by email), log in and out, reset a password, profile, delete."""

from __future__ import annotations

import logging

from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from paperfeed import panels
from paperfeed.accounts import forms
from paperfeed.accounts.limits import allowed, limit, too_many
from paperfeed.accounts.models import Profile
from paperfeed.accounts.verification import read_token, send_verification

log = logging.getLogger(__name__)


def _send_verification(request, user) -> bool:
    wait = allowed("email", request, who=f"user:{user.pk}")
    if wait:
        return False
    try:
        send_verification(request, user)
    except OSError:
        log.exception("could not send the verification email to account %s", user.pk)
        return False
    return True


@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = forms.SignupForm(request.POST or None)
    if request.method == "POST":
        if (response := limit(request, "signup")) is not None:
            return response
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                user = User.objects.filter(username=data["email"]).first()
                if user is not None and getattr(user, "profile", None) and user.profile.banned:
                    form.add_error("email", "This account cannot sign up again.")
                    return render(request, "accounts/signup.html", {"form": form}, status=400)
                if user is None:
                    user = User(username=data["email"], email=data["email"], is_active=False)
                user.set_password(data["password1"])
                user.save()
                profile, _ = Profile.objects.get_or_create(user=user)
                profile.display_name = data["display_name"]
                profile.save()
            sent = _send_verification(request, user)
            return render(request, "accounts/signup_done.html", {"email": user.email, "sent": sent})
    return render(
        request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200
    )


@never_cache
def verify(request, token: str):
    user = read_token(token)
    if user is None:
        return render(request, "accounts/verify_failed.html", status=400)
    profile, _ = Profile.objects.get_or_create(user=user)
    if profile.banned:
        return render(request, "accounts/verify_failed.html", status=400)
    if user.is_active or profile.email_verified_at:
        # Used before: a link is not a standing way in, log in with the password.
        return render(request, "accounts/verified.html", {"again": True})
    user.is_active = True
    user.save(update_fields=["is_active"])
    profile.email_verified_at = timezone.now()
    profile.save(update_fields=["email_verified_at"])
    auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return render(request, "accounts/verified.html")


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
            _send_verification(request, user)
        sent = True  # the same answer whether or not the account exists
    return render(request, "accounts/resend.html", {"sent": sent})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = forms.EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = allowed("login", request)
        if wait:
            return too_many("login", wait)
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = forms.LimitedPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        if (response := limit(request, "email")) is not None:
            return response
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


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
