"""Clickable links in text written by others (abstracts, arXiv comments, readers'
comments): escaped text in which http(s) URLs become links marked
``rel="nofollow noopener ugc"``.

Django's ``Urlizer`` finds the URLs (trailing punctuation, brackets, ``www.`` names);
this subclass gives every link the same ``rel`` and never makes an e-mail address a
``mailto:`` link, so only http(s) URLs reach an ``href``. It imports no app, so any
app may use it.
"""

from __future__ import annotations

import re

from django.utils.html import Urlizer
from django.utils.safestring import SafeString, mark_safe

LINK_TEXT_LIMIT = 60
"""Longer URLs are shown cut with an ellipsis (the ``href`` keeps all of it)."""


class _HttpLinks(Urlizer):
    url_template = '<a href="{href}" rel="nofollow noopener ugc">{url}</a>'
    # Names without a scheme ("www.x.org", "x.org/a") are linked as http://; a word
    # with another scheme ("ftp://x.org") stays text instead of becoming http://ftp://.
    simple_url_2_re = re.compile(
        r"^(?![a-z][a-z0-9+.-]*:)(?:www\.|\w[^@]+\.(com|edu|gov|int|mil|net|org)($|/.*)$)",
        re.IGNORECASE,
    )

    def trim_punctuation(self, word: str) -> tuple[str, str, str]:
        # Django 5.2 drops punctuation trimmed before a closing bracket: "(see
        # http://x.org/a)." lost its final ".". The lead and the URL are the word's
        # start, so the trail is whatever follows them.
        lead, middle, _ = super().trim_punctuation(word)
        return lead, middle, word[len(lead) + len(middle) :]

    @staticmethod
    def is_email_simple(value: str) -> bool:  # an address stays text, never mailto:
        return False


_links = _HttpLinks()


def linkify(text: str) -> SafeString:
    """``text`` escaped, with its http(s) URLs as links."""
    if not text:
        return mark_safe("")
    # autoescape: the Urlizer escapes every word it does not link, and the link text.
    return mark_safe(_links(text, trim_url_limit=LINK_TEXT_LIMIT, autoescape=True))  # noqa: S308
