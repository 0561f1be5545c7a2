"""The community in a real browser (Playwright + Debian's Chromium): sign up, confirm by
the emailed link, vote in place (htmx), submit a paper, save it to a collection and
find it on the trending page. Uses this folder's browser fixtures and the community
tests' replayed arXiv API."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.community.conftest import _fast_hashing, arxiv_api  # noqa: F401 (fixtures)
from tests.support.community import PASSWORD, all_apps, load_papers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, available_apps=all_apps()),
]

RECORDED = "1707.08567"


def test_sign_up_vote_submit_save_and_trend(session, arxiv_api, settings, artifacts):  # noqa: F811
    settings.PAPERFEED_SUBMISSION_MAX_AGE_DAYS = 100_000
    papers = load_papers(120)
    s = session(viewport={"width": 1280, "height": 900})
    settings.PAPERFEED_BASE_URL = s.base  # account emails link to the configured site
    page = s.page

    # sign up; the confirmation link arrives by email
    s.goto("/accounts/signup")
    page.fill("#id_email", "ada@example.org")
    page.fill("#id_display_name", "Ada")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Check your email"
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    assert page.locator("h1").inner_text() == "Welcome to paperfeed"
    assert page.locator(".account-link").inner_text() == "Ada"

    # vote on a trending card: the button changes in place, the page does not reload
    s.goto("/trending?window=day")
    page.evaluate("window.__stayed = true")
    card = page.locator(f"#vote-{papers[0].pk}")
    button = card.locator(".vote-button")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    page.wait_for_selector(f"#vote-{papers[0].pk} .vote-button[aria-pressed=true]")
    assert card.locator(".vote-count").inner_text() == "1"
    assert page.evaluate("window.__stayed") is True
    page.screenshot(path=str(artifacts / "community-voted.png"))

    # submit a paper new to the catalogue (fetched from the replayed arXiv API)
    s.goto("/submit")
    page.fill("#id_paper", f"https://arxiv.org/abs/{RECORDED}")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert page.url.endswith(f"/papers/{RECORDED}")
    assert "Submitted by Ada" in page.locator(".submitted-by").inner_text()

    # save it to a new collection, then open the collection
    page.fill("#save-new", "To read")
    page.click(".save-form button[type=submit]")
    page.wait_for_load_state()
    assert "Saved in 1" in page.locator(".saved-note").inner_text()
    s.goto("/collections")
    page.click("text=To read")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "To read"
    assert "Proceedings of Workshop AEW10" in page.locator(".card-title").first.inner_text()

    # featured today: it is on today's trending page
    s.goto("/trending?window=day")
    titles = page.locator(".card-title").all_inner_texts()
    assert any("Proceedings of Workshop AEW10" in t for t in titles)
    page.screenshot(path=str(artifacts / "community-trending.png"))
