"""Shared response helpers: error pages and the caching headers of list pages."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import condition

from paperfeed.community.caching import cache_for_reader
from paperfeed.web.params import BadParameter
from paperfeed.web.queries import etag_for, forget_recent_version

LIST_MAX_AGE = 300


def bad_request(request, message: str):  # type: ignore[no-untyped-def]
    return render(
        request,
        "web/error.html",
        {"title": "Bad request", "message": message, "status": 400},
        status=400,
    )


def friendly_errors(view):  # type: ignore[no-untyped-def]
    """Turn ``BadParameter`` raised by a view into a 400 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return view(request, *args, **kwargs)
        except BadParameter as exc:
            return bad_request(request, str(exc))

    return wrapper


# Rendered list pages and feeds, per process, keyed by their ETag (which changes with
# the catalogue). Rendering fifty cards costs far more than the page's queries, so a
# repeat visit to the same page is served from here. Own instance, own size limit.
_pages = LocMemCache(
    "paperfeed-web-pages", {"TIMEOUT": 600, "OPTIONS": {"MAX_ENTRIES": 400, "CULL_FREQUENCY": 4}}
)


def clear_page_cache() -> None:
    """Forget rendered pages and the memoised catalogue version (tests call this)."""
    _pages.clear()
    forget_recent_version()


def _page_cache(view):  # type: ignore[no-untyped-def]
    @wraps(view)
    def wrapper(request, *args, **kwargs):  # type: ignore[no-untyped-def]
        cacheable = request.method in ("GET", "HEAD") and (
            settings.SESSION_COOKIE_NAME not in request.COOKIES
        )
        if not cacheable:
            return view(request, *args, **kwargs)
        key = etag_for(request)
        hit = _pages.get(key)
        if hit is not None:
            status, content_type, body = hit
            return HttpResponse(body, content_type=content_type, status=status)
        response = view(request, *args, **kwargs)
        if (
            response.status_code in (200, 400)
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            _pages.set(key, (response.status_code, response["Content-Type"], response.content))
        return response

    return wrapper


def cached_list(view):  # type: ignore[no-untyped-def]
    """ETag from the catalogue version + URL (304 when unchanged), a Cache-Control,
    and the rendered page kept per process for anonymous readers."""
    return cache_for_reader(condition(etag_func=etag_for)(_page_cache(friendly_errors(view))))
