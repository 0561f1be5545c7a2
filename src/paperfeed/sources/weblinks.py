"""Which links from imported data may become an ``href``: http and https only.

Ingest refuses any other scheme (``javascript:``, ``data:``, ...) as bad input, and
the templates check again with :func:`safe_href`, for rows stored before that rule or
written by other means.
"""

from __future__ import annotations

from urllib.parse import urlsplit

ARXIV_HOSTS = ("arxiv.org", "export.arxiv.org", "www.arxiv.org")


def is_http_url(text: str) -> bool:
    """An absolute http(s) URL with a host, and nothing a browser would strip first
    (control characters and spaces let ``java\\tscript:`` pass a naive check)."""
    if not text or any(ord(c) <= 32 or ord(c) == 127 for c in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def is_arxiv_url(text: str) -> bool:
    return is_http_url(text) and (urlsplit(text).hostname or "").lower() in ARXIV_HOSTS


def safe_href(text: str) -> str:
    """``text`` when it is an http(s) URL, else the empty string."""
    return text if is_http_url(text) else ""
