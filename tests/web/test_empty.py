"""Every page works with an empty catalogue and says what to do next.

(A separate module: the corpus fixture of the other modules lives for a whole module.)
"""

from __future__ import annotations

import feedparser
import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/", "/?span=month", "/trending", "/trending?window=day", "/categories", "/search?q=x"],
)
def test_every_page_works_with_an_empty_catalogue(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    if path != "/search?q=x":
        assert "paperfeed import FILE" in html and "paperfeed fetch-new cs.LG" in html


@pytest.mark.parametrize("path", ["/feeds/daily.atom", "/feeds/trending.atom?window=day"])
def test_feeds_are_valid_when_empty(client, path):
    response = client.get(path)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0 and parsed.entries == []


def test_api_is_empty_not_broken(client):
    assert client.get("/api/papers").json()["count"] == 0
    assert client.get("/api/days").json() == {"count": 0, "days": []}
    assert client.get("/api/trending").json()["results"] == []
