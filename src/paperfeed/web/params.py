"""Query-string parameters of the pages: parsed strictly, reported politely.

A bad value raises ``BadParameter``; views turn it into a 400 page that says what
was wrong (``responses.bad_request``).
"""

from __future__ import annotations

import datetime as dt

from paperfeed.catalogue.models import Category

MAX_PAGE = 10_000


class BadParameter(ValueError):
    pass


def parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        if len(value) > 32:
            raise ValueError(value)
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise BadParameter(
            f"“{value[:40]}” is not a date; use YYYY-MM-DD, e.g. 2026-06-30"
        ) from None


def parse_page(value: str | None) -> int:
    if not value:
        return 1
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadParameter(f"page must be a whole number, not “{value[:40]}”") from None
    if number < 1 or number > MAX_PAGE:
        raise BadParameter(f"page must be between 1 and {MAX_PAGE}")
    return number


def parse_choice(value: str | None, choices, default: str, name: str) -> str:
    if not value:
        return default
    if value not in choices:
        raise BadParameter(f"{name} must be one of {', '.join(choices)}")
    return value


def parse_category(value: str | None) -> Category | None:
    if not value:
        return None
    category = Category.objects.filter(code=value.strip()[:32]).first()
    if category is None:
        raise BadParameter(f"unknown category “{value[:40]}”")
    return category
