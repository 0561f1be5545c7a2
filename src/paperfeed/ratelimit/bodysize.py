"""Refuse oversized request bodies before anything reads them.

Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` counts only form fields: a multipart body's
file parts are streamed to a temporary file whatever their size, and a view that never
touches ``request.POST`` never checks at all. The site takes no uploads, so one cap on
the declared length (``PAPERFEED_MAX_REQUEST_BYTES``) covers every request. A body sent
without a length reads as empty under WSGI, so it cannot slip past.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        cap = settings.PAPERFEED_MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse(
                "Bad Content-Length.\n", status=400, content_type="text/plain; charset=utf-8"
            )
        if length > cap:
            response = HttpResponse(
                f"Request body too large: {length} bytes, at most {cap}.\n",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
            response["Connection"] = "close"
            return response
        return self.get_response(request)
