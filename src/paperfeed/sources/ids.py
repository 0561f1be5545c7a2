"""arXiv identifiers: new style (``2503.11677``, ``0704.0001``) and old style
(``astro-ph/0601001``, ``math.GT/0309136``), with or without a version suffix."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NEW = r"\d{4}\.\d{4,5}"
_OLD = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
ID_RE = re.compile(rf"^(?P<id>{_NEW}|{_OLD})(?:v(?P<version>\d+))?$")
# Forms seen in feeds and URLs: oai:arXiv.org:2504.1, arXiv:2504.1v2, https://arxiv.org/abs/2504.1
_PREFIXES = re.compile(
    r"^(?:oai:arxiv\.org:|arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)",
    re.IGNORECASE,
)


class InvalidArxivId(ValueError):
    """Raised with the offending text, so the message says what was wrong."""


@dataclass(frozen=True)
class ArxivId:
    id: str
    version: int | None

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def parse_arxiv_id(text: str) -> ArxivId:
    """Split an id into the versionless key and its version; accepts URL and OAI forms."""
    raw = (text or "").strip()
    cleaned = _PREFIXES.sub("", raw)
    if cleaned.endswith(".pdf"):
        cleaned = cleaned[:-4]
    match = ID_RE.match(cleaned)
    if not match:
        raise InvalidArxivId(
            f"not an arXiv id: {raw!r} (expected e.g. 2503.11677, 2503.11677v2 or astro-ph/0601001)"
        )
    version = match.group("version")
    return ArxivId(match.group("id"), int(version) if version else None)


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}"
