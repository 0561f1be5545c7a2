"""For you in a real browser: sign up, claim two papers (found as an author, and
pasted), open For you, mark the top paper "not interested" and watch it leave and the
list change in place (htmx), with the reasons shown."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from paperfeed.catalogue.models import Authorship
from paperfeed.search import vectors
from paperfeed.search.indexing import index_papers_now
from tests.community.conftest import _fast_hashing  # noqa: F401 (fixture)
from tests.search.conftest import embedder  # noqa: F401 (fixture)
from tests.support.community import PASSWORD, all_apps, load_papers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, available_apps=all_apps()),
]


def test_claim_papers_then_not_interested_changes_for_you(session, embedder, artifacts, settings):  # noqa: F811
    papers = load_papers(80)
    index_papers_now([p.pk for p in papers])
    vectors.clear_caches()
    s = session(viewport={"width": 1280, "height": 900})
    settings.PAPERFEED_BASE_URL = s.base  # account emails link to the configured site
    page = s.page

    s.goto("/accounts/signup")
    page.fill("#id_email", "grace@example.org")
    page.fill("#id_display_name", "Grace")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    page.goto(re.search(r"https?://\S+", mail.outbox[-1].body).group(0))

    # a new reader's For you says how to start
    s.goto("/for-you")
    assert "Start in three clicks" in page.locator("main").inner_text()
    page.click("text=Claim your own papers")
    page.wait_for_load_state()

    # claim one paper found by author search, and one by pasting its id
    mine, pasted = papers[3], papers[40]
    author = Authorship.objects.filter(paper=mine).order_by("position").first().author
    page.fill("#author-query", author.name)
    page.click("text=Find my papers")
    page.wait_for_load_state()
    page.check(f"input[name=paper][value='{mine.arxiv_id}']")
    page.click(".claim-form button[type=submit]")
    page.wait_for_load_state()
    assert "marked as yours" in page.locator(".messages").inner_text()
    page.fill("#paste-ids", f"https://arxiv.org/abs/{pasted.arxiv_id}")
    page.click("text=Add these papers")
    page.wait_for_load_state()

    s.goto("/for-you")
    items = page.locator(".for-you-item")
    assert items.count() > 5
    before = page.locator(".for-you-item .card-title").all_inner_texts()
    assert mine.title not in before and pasted.title not in before
    assert "that you wrote" in items.first.locator(".reasons").inner_text()
    page.screenshot(path=str(artifacts / "for-you-before.png"))

    page.evaluate("window.__stayed = true")
    items.first.locator("button.signal-not_interested").click()
    # expect() polls without eval (the site's Content-Security-Policy refuses eval).
    gone = re.compile(rf"^\s*{re.escape(before[0])}\s*$")
    expect(page.locator(".for-you-item .card-title").filter(has_text=gone)).to_have_count(0)
    after = page.locator(".for-you-item .card-title").all_inner_texts()
    assert before[0] not in after
    assert after[: len(before) - 1] != before[: len(before) - 1]
    assert page.evaluate("window.__stayed") is True  # swapped in place, no reload
    page.screenshot(path=str(artifacts / "for-you-after.png"))

    # and the profile page lists it
    s.goto("/for-you/profile")
    assert before[0] in page.locator("main").inner_text()
