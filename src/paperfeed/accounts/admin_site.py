"""The admin site: Django's, with its log-in under the same per-IP and per-account
limits as the site's own (:mod:`paperfeed.accounts.lockout`)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from paperfeed.accounts.lockout import login_guard


class AdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method == "POST":
            refused = login_guard(request, request.POST.get("username", ""))
            if refused is not None:
                return refused
        return super().login(request, extra_context)
