"""The site in a real browser: navigation, abstracts, math, phone layout, no CDN."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from paperfeed.catalogue.models import Paper
from tests.support.corpus import OLD_STYLE_ID, load_corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def corpus(transactional_db):
    """The first three listing days (711 papers) plus the snapshot and old-style papers."""
    return load_corpus(listings=711)


def no_horizontal_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_daily_feed_navigation_and_abstracts(session, corpus, artifacts):
    s = session(viewport={"width": 1280, "height": 900})
    page = s.page
    s.goto("/")
    assert page.locator("h1").inner_text() == "Papers of Thursday, 20 March 2025"
    page.screenshot(path=str(artifacts / "feed-desktop.png"))

    # previous day with papers, then back with the date picker
    page.locator('a[rel="prev"]').first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Papers of Wednesday, 19 March 2025"
    page.fill("#date-picker", "2025-03-18")
    page.locator(".date-form button").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Papers of Tuesday, 18 March 2025"

    # filter by a category from the facets
    page.locator(".facets a", has_text="cs.CL").first.click()
    page.wait_for_load_state()
    assert "category=cs.CL" in page.url
    chips = page.locator(".card .meta .chip").all_inner_texts()
    assert chips and set(chips) == {"cs.CL"}

    # expand an abstract: the full text appears, the lede hides
    card = page.locator(".card").first
    details = card.locator("details.abstract")
    full = details.locator(".abstract-full")
    assert not full.is_visible()
    details.locator("summary").click()
    assert full.is_visible()
    assert details.get_attribute("open") is not None
    page.screenshot(path=str(artifacts / "feed-expanded.png"))

    # week view and trending
    s.goto("/?date=2025-03-19&span=week")
    assert page.locator("h1").inner_text() == "Week of 17 March 2025"
    s.goto("/trending?window=month")
    assert page.locator("ol.ranked > li").count() == 50
    page.screenshot(path=str(artifacts / "trending.png"))


def test_paper_page_renders_math_and_copies_bibtex(session, corpus, artifacts):
    paper = Paper.objects.filter(abstract__regex=r"\$[^$]+\$").order_by("arxiv_id").first()
    s = session(viewport={"width": 1280, "height": 1000})
    s.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = s.page
    s.goto(f"/papers/{paper.arxiv_id}")
    page.wait_for_selector(".abstract-text .katex", timeout=10_000)
    assert page.locator(".abstract-text .katex").count() >= 1
    # KaTeX fonts come from the app too
    fonts = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.includes('/vendor/katex/'))"
    )
    assert any(name.endswith(".js") for name in fonts)
    button = page.locator(".copy-button")
    assert button.is_visible()
    button.click()
    # expect() polls without eval: a string predicate polled by wait_for_function is
    # eval'd in the page, which the site's Content-Security-Policy refuses.
    expect(button).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@misc{") and paper.arxiv_id in copied
    page.screenshot(path=str(artifacts / "paper-desktop.png"), full_page=True)

    # an old-style id, opened from the search box
    s.goto("/")
    page.fill("#site-search", OLD_STYLE_ID)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/papers/{OLD_STYLE_ID}")
    assert "Hot Jupiters" in page.locator("h1").inner_text()


def test_pages_read_fine_without_javascript(session, corpus):
    paper = Paper.objects.filter(abstract__contains="$").first()
    s = session(java_script_enabled=False)
    s.goto(f"/papers/{paper.arxiv_id}")
    assert s.page.locator(".abstract-text").inner_text().count("$") >= 2
    assert s.page.locator(".copy-button").is_hidden()
    s.goto("/")
    details = s.page.locator("details.abstract").first
    details.locator("summary").click()
    assert details.locator(".abstract-full").is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_phone_layout_has_no_horizontal_scroll(session, corpus, artifacts, scheme):
    paper = Paper.objects.filter(abstract__contains="$").first()
    s = session(viewport=PHONE, color_scheme=scheme, is_mobile=True, device_scale_factor=2)
    page = s.page
    for name, path in [
        ("feed", "/"),
        ("paper", f"/papers/{paper.arxiv_id}"),
        ("old-paper", "/papers/0704.0001"),
        ("trending", "/trending"),
        ("categories", "/categories"),
        ("search", "/search?q=learning"),
        ("404", "/papers/1234.56789"),
    ]:
        s.goto(path)
        assert no_horizontal_scroll(page), f"{path} scrolls sideways at phone width"
        if name in ("feed", "paper"):
            page.screenshot(path=str(artifacts / f"{name}-phone-{scheme}.png"))


def test_skip_link_and_focus(session, corpus):
    s = session()
    s.goto("/")
    s.page.keyboard.press("Tab")
    focused = s.page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert s.page.locator(".skip-link").is_visible()
    s.page.keyboard.press("Enter")
    assert s.page.evaluate("location.hash") == "#main"


def test_api_docs_load_without_a_cdn(session, corpus):
    s = session()
    s.goto("/api/docs")
    s.page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    assert "/api/papers" in s.page.content()
