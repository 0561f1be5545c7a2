"""Who may do what: readers are signed-in, active accounts; curators are in the
"curators" group (or superusers)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden

from paperfeed.community.models import CURATORS


def is_curator(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_paperfeed_curator", None)
    if cached is None:
        cached = user.groups.filter(name=CURATORS).exists()
        user._paperfeed_curator = cached
    return cached


def reader_required(view):
    """Anonymous: to the login page (or 401 for htmx); otherwise the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                response = HttpResponseForbidden("Log in to do this.")
                response.status_code = 401
                return response
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def curator_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_curator(request.user):
            return HttpResponseForbidden("Curators only.")
        return view(request, *args, **kwargs)

    return wrapper
