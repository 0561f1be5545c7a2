"""The security probe: ``paperfeed serve`` as deployed, fed hostile data, read as an
attacker would hope a victim's browser reads it.

Hostile records (script tags, quotes, ``javascript:`` URLs in every field that can hold
one, NUL bytes) go in through ``paperfeed import``; invalid UTF-8 must be refused
cleanly. Hostile readers sign up, comment, name collections and submit code links
through the site. Then every page reachable from the site's links (anonymous and
signed in), every feed, every API answer and a digest email are checked with
``tests/security/checks.py``: no executable href/src, no event handlers, no inline
scripts, no hostile markup parsed as markup, the security headers on every page, and
no 5xx anywhere.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import lxml.html
import pytest

from tests.security.checks import (
    MARK,
    PAYLOADS,
    atom_problems,
    header_problems,
    html_problems,
    json_problems,
)

pytestmark = pytest.mark.slow

DAY = dt.date(2026, 11, 30)
PASSWORD = "a long enough passphrase 42"
JS = "javascript:alert(document.cookie)"
TEXT = " ".join(PAYLOADS) + " \x00 nul"
MAX_PAGES = 500


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def export_record(arxiv_id: str, **fields) -> dict:  # type: ignore[no-untyped-def]
    """A record in paperfeed's own export format, every text field hostile."""
    record = {
        "arxiv_id": arxiv_id,
        "title": f"Hostile title {arxiv_id} {TEXT}",
        "abstract": f"Abstract with $x$ math {TEXT}",
        "authors": [{"name": p[:200]} for p in PAYLOADS] + [{"name": "Ada Lovelace"}],
        "categories": ["cs.AI", f'cs.LG"><b class="{MARK}">'],
        "primary_category": "cs.AI",
        "comments": f"Code at https://github.com/pf/probe {TEXT}",
        "journal_ref": TEXT,
        "doi": f'10.1000/x"><b class="{MARK}">',
        "report_no": TEXT,
        "license": 'https://creativecommons.org/licenses/by/4.0/"onmouseover="alert(1)',
        "versions": [{"version": 1, "submitted": f"{DAY}T10:00:00+00:00"}],
        "submitted": f"{DAY}T10:00:00+00:00",
        "announced": DAY.isoformat(),
    }
    record.update(fields)
    return record


def hostile_files(folder: Path) -> tuple[Path, Path, list[int]]:
    """The records file (with the lines that must be refused) and an invalid UTF-8 file."""
    lines = [
        export_record("2611.00001"),
        export_record("2611.00002", abs_url=JS),
        export_record("2611.00003", pdf_url=" javascript:alert(1)"),
        export_record("2611.00004", license=JS),
        export_record("2611.00005", abs_url="data:text/html,<script>alert(1)</script>"),
        export_record("2611.00006", abs_url="https://evil.example/abs", pdf_url="vbscript:x"),
        {  # the daily-listings format
            "id": "2611.00007",
            "title": f"Listing {TEXT}",
            "authors": PAYLOADS,
            "abstract": TEXT,
            "categories": ["cs.AI"],
            "primary_category": "cs.AI",
            "comment": TEXT,
            "listing_date": DAY.isoformat(),
            "abs_url": JS,
            "pdf_url": JS,
        },
        {  # the public snapshot format
            "id": "2611.00008",
            "submitter": TEXT,
            "authors": ", ".join(p.replace(",", " ") for p in PAYLOADS),
            "title": f"Snapshot {TEXT}",
            "comments": TEXT,
            "journal-ref": TEXT,
            "doi": TEXT,
            "license": JS,
            "abstract": TEXT,
            "categories": "cs.AI",
            "versions": [{"version": "v1", "created": "Mon, 30 Nov 2026 10:00:00 GMT"}],
            "update_date": DAY.isoformat(),
        },
        export_record("2611.00009", title=f"Clean title {MARK} with an off-arXiv link",
                      abs_url="https://evil.example/x"),
    ]  # fmt: skip
    refused = [2, 3, 4, 5, 6, 8]  # line numbers
    records = folder / "hostile.jsonl"
    records.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    broken = folder / "broken.jsonl"
    good = json.dumps(export_record("2611.00010")).encode()
    broken.write_bytes(good + b"\n" + b'{"arxiv_id": "2611.00011", "title": "\xff\xfe bad"}\n')
    return records, broken, refused


class Site:
    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERFEED_")}
        self.env.pop("DATABASE_URL", None)  # the embedded default, as a first install has
        self.env.pop("SMTP_URL", None)  # mail goes to DATA_DIR/mail as .eml files
        self.env.update(PAPERFEED_DATA_DIR=str(data), PAPERFEED_BASE_URL=self.base)
        self.proc: subprocess.Popen | None = None

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "paperfeed", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "paperfeed", "serve", "--port", str(self.port),
             "--workers", "1", "--no-worker", "--no-schedule"],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                httpx.get(self.base + "/", timeout=5)
                return
            except httpx.HTTPError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.5)
        raise AssertionError(self.stop())

    def stop(self) -> str:
        if self.proc is None:
            return ""
        if self.proc.poll() is None:
            self.proc.terminate()
        out, _ = self.proc.communicate(timeout=30)
        return out.decode(errors="replace")

    def mails(self) -> list[email.message.EmailMessage]:
        folder = self.data / "mail"
        files = sorted(folder.glob("*"), key=lambda p: p.stat().st_mtime) if folder.exists() else []
        messages = []
        for path in files:
            # Django's file backend writes several messages to one file, each ending in a
            # line of 79 dashes.
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk, policy=email.policy.default))
        return messages


def form_post(client: httpx.Client, page: str, action: str, data: dict) -> httpx.Response:
    """POST a form the way a browser does: CSRF token from the page it sits on."""
    html = client.get(page).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    fields = {**data, "csrfmiddlewaretoken": token.group(1) if token else ""}
    return client.post(action, data=fields)


def links_in(html: str, url: str, base: str) -> set[str]:
    root = lxml.html.document_fromstring(html)
    found = set()
    for element in root.iter("a", "link"):
        href = element.get("href")
        if not href:
            continue
        target = urljoin(url, href).split("#")[0]
        parts = urlsplit(target)
        skipped = parts.path.startswith(("/static/", "/admin/")) or parts.path in (
            "/accounts/logout",
            "/accounts/delete",
        )
        if target.startswith(base) and not skipped:
            found.add(target)
    return found


def check(response: httpx.Response, where: str) -> list[str]:
    problems = []
    if response.status_code >= 500:
        problems.append(f"{where}: HTTP {response.status_code}")
    kind = response.headers.get("content-type", "")
    if response.headers.get("x-content-type-options") != "nosniff":
        problems.append(f"{where}: no nosniff")
    if "text/html" in kind:
        problems += html_problems(response.text, where)
        problems += header_problems(response.headers, where)
    elif "atom" in kind or "xml" in kind:
        problems += atom_problems(response.content, where)
    elif "json" in kind:
        problems += json_problems(response.content, where)
    return problems


def crawl(client: httpx.Client, base: str, seeds: list[str]) -> tuple[list[str], int]:
    queue = deque(urljoin(base, s) for s in seeds)
    seen: set[str] = set(queue)
    problems: list[str] = []
    fetched = 0
    while queue and fetched < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        fetched += 1
        where = url[len(base) :]
        problems += check(response, where)
        if "text/html" in response.headers.get("content-type", "") and response.text.strip():
            for link in links_in(response.text, url, base):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
    return problems, fetched


SEEDS = [
    "/", f"/?date={DAY}", "/trending?window=day", "/trending?window=week",
    "/trending?window=month", "/categories", "/categories/cs.AI", "/categories/cs.AI?cross=1",
    "/papers/2611.00001", "/papers/2611.00007", "/papers/2611.00008", "/papers/2611.00009",
    f"/search?q={MARK}&mode=keyword", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E",
    "/search?q=hostile", "/search?q=author:Lovelace", "/search?q=%22%3E%3Cb%3E",
    "/api/papers", f"/api/papers?date={DAY}", "/api/papers/2611.00001", "/api/days",
    "/api/trending?window=week", f"/api/search?q={MARK}&mode=keyword",
    "/api/papers/2611.00001/similar", "/api/openapi.json", "/api/docs",
    "/feeds/daily.atom", "/feeds/daily.atom?category=cs.AI", "/feeds/categories/cs.AI.atom",
    "/feeds/trending.atom?window=week", "/accounts/login", "/accounts/signup",
    "/accounts/password-reset", "/accounts/verify-again", "/admin/login/",
    "/papers/javascript:alert(1)", "/authors/1-x", "/no/such/page",
]  # fmt: skip


def test_hostile_data_never_reaches_a_browser_as_code(tmp_path):
    records, broken, refused = hostile_files(tmp_path)
    site = Site(tmp_path / "data")

    # bad input: named by line, the rest imported
    done = site.run("import", str(records), "--on-error", "skip")
    for line in refused:
        assert f"{records}:{line}" in done.stderr, (line, done.stderr)
    assert "http(s) URL" in done.stderr
    stats = json.loads(site.run("stats", "--json").stdout)
    assert stats["papers"] == 3, stats  # lines 1, 7 and 9
    # invalid UTF-8: refused with the file's name and a non-zero exit
    bad = site.run("import", str(broken))
    assert bad.returncode != 0 and str(broken) in bad.stderr and "Traceback" not in bad.stderr

    added = site.run("subscribers", "add", "probe@example.org", "--confirmed",
                     "--categories", "cs.AI", "--frequency", "daily")  # fmt: skip
    assert added.returncode == 0, added.stderr
    site.start()
    try:
        problems: list[str] = []
        reader = httpx.Client(base_url=site.base, timeout=30, follow_redirects=True)
        # a hostile reader signs up (the emailed link, opened in the same browser)
        signed = form_post(
            reader,
            "/accounts/signup",
            "/accounts/signup",
            {"email": "mallory@example.org", "display_name": PAYLOADS[1][:80],
             "password1": PASSWORD, "password2": PASSWORD},
        )  # fmt: skip
        assert signed.status_code == 200, signed.text[:500]
        link = re.search(r"https?://\S+", site.mails()[-1].get_body(("plain",)).get_content())
        assert link and link.group(0).startswith(site.base + "/accounts/verify/")
        assert "Welcome" in reader.get(link.group(0)).text
        paper = "/papers/2611.00001"
        for body in [*PAYLOADS, TEXT.replace("\x00", ""), f'see {JS} and http://x.org/"a']:
            posted = form_post(reader, paper, f"{paper}/comments", {"body": body})
            assert posted.status_code < 500
        for url in (JS, "data:text/html,x", "https://evil.example/a/b"):
            code = form_post(reader, paper, f"{paper}/code", {"url": url})
            assert 400 <= code.status_code < 500, (url, code.status_code)
        # a repository link with markup after it: the repository is kept, the rest is not
        form_post(
            reader, paper, f"{paper}/code", {"url": f'https://github.com/a/b"><b class="{MARK}">'}
        )
        made = form_post(
            reader,
            "/collections",
            "/collections",
            {"name": PAYLOADS[3][:120], "description": PAYLOADS[0], "public": "on"},
        )
        assert made.status_code == 200, made.text[:300]
        collection = urlsplit(str(made.url)).path
        form_post(reader, paper, f"{paper}/save", {"collection": collection.rsplit("/", 1)[1]})
        form_post(reader, paper, f"{paper}/vote", {"action": "up"})
        nul = form_post(reader, paper, f"{paper}/save", {"new_name": "x\x00y"})
        assert nul.status_code == 400

        seeds = [*SEEDS, collection, collection + ".atom", collection + ".bib"]
        found, anonymous_pages = crawl(
            httpx.Client(base_url=site.base, timeout=30), site.base, seeds
        )
        problems += found
        found, reader_pages = crawl(reader, site.base, [*seeds, "/accounts/profile"])
        problems += found

        # the digest email of the day, with the hostile papers in it
        sent = site.run("digest", "send", "--period", "daily", "--date", DAY.isoformat(),
                        "--inline")  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        digests = [m for m in site.mails() if m["To"] == "probe@example.org"]
        assert digests, [m["Subject"] for m in site.mails()]
        for message in [*digests, *site.mails()]:
            html = message.get_body(("html",))
            if html is not None:
                problems += html_problems(html.get_content(), f"email {message['Subject']!r}")
        assert "2611.00001" in digests[-1].get_body(("html",)).get_content()
    finally:
        log = site.stop()
    assert anonymous_pages > 60 and reader_pages > 60, (anonymous_pages, reader_pages)
    assert problems == [], "\n".join(problems[:40])
    assert "Traceback" not in log, log[-3000:]
