"""Shared response helpers: error pages and the caching headers of list pages."""

from __future__ import annotations

from functools import wraps

from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition

from paperfeed.web.params import BadParameter
from paperfeed.web.queries import etag_for

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


def cached_list(view):  # type: ignore[no-untyped-def]
    """ETag from the catalogue version + URL (304 when unchanged) and a Cache-Control."""
    return cache_control(public=True, max_age=LIST_MAX_AGE)(
        condition(etag_func=etag_for)(friendly_errors(view))
    )
