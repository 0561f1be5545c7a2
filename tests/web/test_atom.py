"""Atom feeds: valid (feedparser bozo == 0), the right entries, discoverable, cached."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest

from paperfeed.catalogue.models import NEWEST_FIRST, Paper
from paperfeed.trending.ranking import trending_papers

pytestmark = pytest.mark.django_db

LATEST = dt.date(2025, 3, 28)


def parse(client, url):  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return response, parsed


def test_daily_feed_has_the_latest_day(client, corpus):
    _, feed = parse(client, "/feeds/daily.atom")
    expected = set(Paper.objects.filter(announced=LATEST).values_list("arxiv_id", flat=True))
    ids = {e.id.removeprefix("https://arxiv.org/abs/") for e in feed.entries}
    assert ids == expected
    entry = feed.entries[0]
    paper = Paper.objects.get(arxiv_id=entry.id.removeprefix("https://arxiv.org/abs/"))
    assert entry.title == paper.title
    assert entry.summary == paper.abstract
    assert entry.link == f"http://testserver/papers/{paper.arxiv_id}"
    assert [a.name for a in entry.authors] == [
        a.author.name for a in paper.authorships.select_related("author").order_by("position")
    ]
    assert {t.term for t in entry.tags} == set(paper.categories.values_list("code", flat=True))
    assert entry.published.startswith("2025-03-28")
    assert "28 March 2025" in feed.feed.subtitle
    links = {(link.rel, link.href) for link in feed.feed.links}
    assert ("self", "http://testserver/feeds/daily.atom") in links
    assert ("alternate", "http://testserver/") in links


def test_daily_feed_by_category(client, corpus):
    _, feed = parse(client, "/feeds/daily.atom?category=cs.CL")
    expected = Paper.objects.filter(announced=LATEST, primary_category_id="cs.CL").count()
    assert len(feed.entries) == expected > 0
    assert client.get("/feeds/daily.atom?category=nope").status_code == 400


def test_category_feed(client, corpus):
    _, feed = parse(client, "/feeds/categories/cs.CV.atom")
    assert len(feed.entries) == 100
    assert feed.feed.title == "paperfeed: cs.CV (Computer Vision and Pattern Recognition)"
    newest = Paper.objects.filter(primary_category_id="cs.CV").order_by(*NEWEST_FIRST)
    assert feed.entries[0].id == f"https://arxiv.org/abs/{newest[0].arxiv_id}"
    # old-style categories (no dot) and unknown ones
    _, astro = parse(client, "/feeds/categories/astro-ph.atom")
    assert "https://arxiv.org/abs/astro-ph/0601001" in [e.id for e in astro.entries]
    assert client.get("/feeds/categories/zz.ZZ.atom").status_code == 404


@pytest.mark.parametrize("window", ["day", "week", "month"])
def test_trending_feed(client, corpus, window):
    _, feed = parse(client, f"/feeds/trending.atom?window={window}")
    expected = [p.arxiv_id for p in trending_papers(window, limit=50)]
    assert [e.id.removeprefix("https://arxiv.org/abs/") for e in feed.entries] == expected
    assert client.get("/feeds/trending.atom?window=decade").status_code == 400


def test_feeds_send_etag_and_cache_control(client, corpus):
    response = client.get("/feeds/daily.atom")
    assert "max-age" in response["Cache-Control"] and response["ETag"]
    assert client.get("/feeds/daily.atom", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_feeds_are_discoverable_from_pages(client, corpus):
    for page, feed in [
        ("/", "/feeds/daily.atom"),
        ("/trending?window=month", "/feeds/trending.atom?window=month"),
        ("/categories/cs.AI", "/feeds/categories/cs.AI.atom"),
    ]:
        html = client.get(page).content.decode()
        assert 'rel="alternate" type="application/atom+xml"' in html
        assert f'href="{feed}"' in html
