"""The Content-Security-Policy in a real browser: every page, the admin and the API docs
work under it (math, copy buttons, htmx votes, Swagger UI) and Chromium reports no
violation, so nothing inline or from elsewhere is left to allow."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from paperfeed.catalogue.models import Paper
from tests.support.community import PASSWORD, load_papers, make_reader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(s):  # type: ignore[no-untyped-def]
    """Collect Chromium's CSP reports for the session's page."""
    seen: list[str] = []
    s.page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return seen


def test_pages_admin_and_api_docs_run_under_the_policy(session, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    papers = load_papers(120)
    Paper.objects.filter(pk=papers[0].pk).update(abstract="Energy $E = mc^2$ and $\\alpha$.")
    s = session(viewport={"width": 1280, "height": 900})
    violations = watch(s)
    for path in ("/", "/trending", "/categories", "/accounts/login", "/accounts/signup"):
        response = s.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
    s.goto(f"/papers/{papers[0].arxiv_id}")
    s.page.wait_for_selector(".abstract-text .katex", timeout=10_000)
    s.goto("/api/docs")
    s.page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    User.objects.create_superuser("root@example.org", "root@example.org", PASSWORD)
    s.goto("/admin/login/")
    s.page.fill("#id_username", "root@example.org")
    s.page.fill("#id_password", PASSWORD)
    s.page.click("input[type=submit]")
    s.page.wait_for_selector("#site-name")
    s.goto("/admin/catalogue/paper/")
    # htmx votes for a signed-in reader
    make_reader("ada")
    s = session(viewport={"width": 1280, "height": 900})
    reader_violations = watch(s)
    s.goto("/accounts/login")
    s.page.fill("#id_username", "ada@example.org")
    s.page.fill("#id_password", PASSWORD)
    s.page.click("button[type=submit].primary")
    s.goto("/trending?window=month")
    card = s.page.locator(".vote-button").first
    card.click()
    s.page.wait_for_selector(".vote-button[aria-pressed=true]", timeout=10_000)
    assert violations == [] and reader_violations == []
