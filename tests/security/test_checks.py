"""The probe's checks catch what they are for (so a clean probe run means something)."""

from __future__ import annotations

import pytest

from tests.security.checks import MARK, atom_problems, header_problems, html_problems, unsafe_link

SAFE_PAGE = '<html><body><a href="/x">x</a><a href="https://arxiv.org/abs/1">a</a>' \
    '<script src="/static/web/site.js"></script><p>&lt;script&gt;</p></body></html>'  # fmt: skip


@pytest.mark.parametrize(
    "page",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<img src="data:text/html,x">',
        '<form action="vbscript:x"></form>',
        '<b onmouseover="alert(1)">x</b>',
        "<script>alert(1)</script>",
        f'<b class="{MARK}">parsed</b>',
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    ],
)
def test_each_kind_of_executable_output_is_reported(page):
    assert html_problems(f"<html><body>{page}</body></html>", "page")


def test_a_clean_page_passes():
    assert html_problems(SAFE_PAGE, "page") == []
    assert not unsafe_link("mailto:a@example.org") and not unsafe_link("/papers/1:2")


def test_missing_headers_and_unsafe_feed_content_are_reported():
    assert header_problems({}, "page")
    good = {
        "content-security-policy": "default-src 'self'; script-src 'self'; frame-ancestors 'none'",
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
    }
    assert header_problems(good, "page") == []
    feed = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><link href="javascript:x"/>'
        b'<summary type="html">&lt;b class="pfxss"&gt;x&lt;/b&gt;</summary></feed>'
    )
    assert len(atom_problems(feed, "feed")) == 2
