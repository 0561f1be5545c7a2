"""Shared response helpers: error pages and the caching headers of list pages."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import condition

from paperfeed.catalogue.version import forget_recent_version
from paperfeed.community.caching import cache_for_reader
from paperfeed.web.params import BadParameter
from paperfeed.web.queries import etag_for


def bad_request(request, message: str):
    return render(
        request,
        "web/error.html",
        {"title": "Bad request", "message": message, "status": 400},
        status=400,
    )


def friendly_errors(view):
    """Turn ``BadParameter`` raised by a view into a 400 page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadParameter as exc:
            return bad_request(request, str(exc))

    return wrapper


def page_cache() -> BaseCache:
    """Rendered pages and feeds for anonymous readers (settings.CACHES["pages"]: on
    disk, shared by the web processes), keyed by their ETag, which changes with the
    catalogue and the community's votes. Rendering a page costs 5 to 20 ms of CPU; a
    repeat visit, from any process, is answered from here in well under one."""
    return caches["pages"]


def clear_page_cache() -> None:
    """Forget rendered pages and the memoised catalogue version (tests call this)."""
    page_cache().clear()
    forget_recent_version()


# Says whether a page came from the page cache ("hit") or was rendered for this
# request ("miss"), as CDNs and Varnish do: how an operator, and the load benchmark,
# tell the two apart (a render costs ten to a hundred times more). Pages for signed-in readers,
# never cached, carry none.
CACHE_HEADER = "X-Cache"


def _page_cache(view, etag_func=etag_for):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        cacheable = request.method in ("GET", "HEAD") and (
            settings.SESSION_COOKIE_NAME not in request.COOKIES
        )
        if not cacheable:
            return view(request, *args, **kwargs)
        key = etag_func(request, *args, **kwargs)
        pages = page_cache()
        hit = pages.get(key)
        if hit is not None:
            status, content_type, body = hit
            response = HttpResponse(body, content_type=content_type, status=status)
            response[CACHE_HEADER] = "hit"
            return response
        response = view(request, *args, **kwargs)
        response[CACHE_HEADER] = "miss"
        if (
            response.status_code in (200, 400)
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            pages.set(key, (response.status_code, response["Content-Type"], response.content))
        return response

    return wrapper


def cached_page(view=None, *, etag_func=etag_for):
    """ETag from the catalogue version + URL (304 when unchanged), a Cache-Control,
    and the rendered page kept for anonymous readers. ``@cached_page`` or, for a page
    that shows more than the catalogue, ``@cached_page(etag_func=...)``; the API's read
    operations take it through ``ninja.decorators.decorate_view``."""

    def decorate(view):
        return cache_for_reader(
            condition(etag_func=etag_func)(_page_cache(friendly_errors(view), etag_func))
        )

    return decorate(view) if view is not None else decorate
