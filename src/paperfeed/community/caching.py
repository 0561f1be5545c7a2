"""HTTP caching for pages that show per-reader parts (vote buttons, save forms)."""

from __future__ import annotations

from functools import wraps

from django.utils.cache import patch_cache_control

PUBLIC_MAX_AGE = 300


def cache_for_reader(view):
    """Anonymous: public for 5 minutes. Signed in: private and revalidated every time,
    so a reader sees their own vote at once and no shared cache keeps their page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if "Cache-Control" in response:
                del response["Cache-Control"]
            patch_cache_control(response, private=True, no_cache=True, max_age=0)
        else:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        return response

    return wrapper
