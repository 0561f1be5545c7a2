"""What "safe output" means, checked on what the server sends: no link or source with a
scheme that runs code, no event-handler attribute, no inline script, no markup from the
hostile data parsed as markup, and the security headers on every page."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

# Every hostile string carries this marker as an element's class: finding an element
# with it means the data was parsed as markup instead of shown as text.
MARK = "pfxss"
PAYLOADS = [
    f'<script>alert("{MARK}")</script><b class="{MARK}">bold</b>',
    f'"><b class="{MARK}" onmouseover="alert(1)">x</b>',
    f"'><img class='{MARK}' src=x onerror=alert(1)>",
    f'<svg class="{MARK}" onload=alert(1)></svg> &lt;ok&gt; & "quotes" \'apos\'',
    "javascript:alert(document.cookie)",
]
LINK_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "data", "xlink:href", "srcset")
SAFE_SCHEMES = ("http", "https", "mailto")


def unsafe_link(value: str) -> bool:
    """A link a browser could run: any scheme but http(s)/mailto, after stripping what
    browsers strip (whitespace and control characters)."""
    cleaned = "".join(c for c in value if ord(c) > 32 and ord(c) != 127)
    scheme = urlsplit(cleaned).scheme.lower() if ":" in cleaned.split("/", 1)[0] else ""
    return bool(scheme) and scheme not in SAFE_SCHEMES


def html_problems(text: str, where: str) -> list[str]:
    problems: list[str] = []
    if not text.strip():
        return problems
    root = lxml.html.document_fromstring(text)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if MARK in (element.get("class") or "") or element.tag == MARK:
            problems.append(f"{where}: hostile markup parsed as <{element.tag}>")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                problems.append(f"{where}: event handler {name}= on <{element.tag}>")
            if name.lower() in LINK_ATTRIBUTES:
                for part in value.split(",") if name == "srcset" else [value]:
                    if unsafe_link(part.strip()):
                        problems.append(f"{where}: <{element.tag} {name}={value[:60]!r}>")
        if element.tag == "script":
            kind = (element.get("type") or "").lower()
            if not element.get("src") and kind not in ("application/json", "application/ld+json"):
                problems.append(f"{where}: inline script {(element.text or '')[:60]!r}")
            if element.get("src") and unsafe_link(element.get("src")):
                problems.append(f"{where}: script from {element.get('src')!r}")
        if element.tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            problems.append(f"{where}: meta refresh {element.get('content')!r}")
    if MARK in text and f'alert("{MARK}")</script>' in text:
        problems.append(f"{where}: a raw <script> from the data")
    return problems


def header_problems(headers, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    problems = []
    csp = headers.get("content-security-policy", "")
    if "script-src 'self'" not in csp or "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"{where}: Content-Security-Policy {csp!r}")
    if "frame-ancestors 'none'" not in csp and headers.get("x-frame-options") != "DENY":
        problems.append(f"{where}: can be framed")
    if headers.get("x-content-type-options") != "nosniff":
        problems.append(f"{where}: no X-Content-Type-Options: nosniff")
    if not headers.get("referrer-policy"):
        problems.append(f"{where}: no Referrer-Policy")
    return problems


def atom_problems(body: bytes, where: str) -> list[str]:
    """An Atom feed: well-formed, http(s) links, and any (X)HTML content safe as a page."""
    problems = []
    root = lxml.etree.fromstring(body)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        href = element.get("href")
        if href is not None and unsafe_link(href):
            problems.append(f"{where}: feed link {href[:60]!r}")
        kind = element.get("type")
        if kind == "html" and element.text:
            problems += html_problems(element.text, f"{where} <{element.tag}>")
        elif kind == "xhtml":
            markup = lxml.etree.tostring(element, encoding="unicode")
            problems += html_problems(markup, f"{where} <{element.tag}>")
    return problems


def json_problems(body: bytes, where: str) -> list[str]:
    """An API answer: every string under a key naming a link is a safe link."""
    problems: list[str] = []

    def walk(value, key: str = "") -> None:  # type: ignore[no-untyped-def]
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str):
            linkish = key.endswith(("url", "href", "link", "next", "previous")) or key == "license"
            if linkish and value and unsafe_link(value):
                problems.append(f"{where}: {key}={value[:60]!r}")

    walk(json.loads(body))
    return problems
