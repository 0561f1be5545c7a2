"""URL converters: arXiv ids (old style ones contain a slash) and category codes."""

from __future__ import annotations


class ArxivIdConverter:
    # new style 2503.11677(v2); old style astro-ph/0601001, math.GT/0309136(v1)
    regex = r"(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class CategoryConverter:
    # arXiv codes (cs.CV, hep-th); sources also put odd strings (MSC classes) there
    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
