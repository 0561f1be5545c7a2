"""The trending lists (the page and the API's) key on their window's days: papers
imported into older days (a backfill) and votes on papers outside the window leave
them cached; a vote inside the window, a new latest day or a feature on a later day
renders them again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from paperfeed.catalogue.models import Paper
from paperfeed.community.curation import feature
from tests.support.community import make_curator, make_reader
from tests.support.days import import_on

pytestmark = pytest.mark.django_db

PAGES = ["/trending?window=week", "/api/trending?window=week"]


def voter() -> Client:
    signed_in = Client()
    signed_in.force_login(make_reader())
    return signed_in


def vote(reader: Client, paper: Paper) -> None:
    assert reader.post(f"/papers/{paper.arxiv_id}/vote", {"action": "up"}).status_code == 302


def test_trending_stays_cached_through_a_backfill_and_votes_outside_its_window(client, days):
    latest, _ = days
    first = {url: client.get(url) for url in PAGES}
    assert all(r.status_code == 200 and r["X-Cache"] == "miss" for r in first.values())
    backfilled = import_on(latest - dt.timedelta(days=40))
    vote(voter(), Paper.objects.get(arxiv_id=backfilled[0]))
    for url in PAGES:
        again = client.get(url)
        assert again["ETag"] == first[url]["ETag"], url
        assert again["X-Cache"] == "hit", url
    # a vote on one of the window's papers: both rendered again, that paper on top
    inside = Paper.objects.filter(announced=latest).order_by("pk").last()
    vote(voter(), inside)
    listed = client.get(PAGES[1])
    assert listed["X-Cache"] == "miss" and listed["ETag"] != first[PAGES[1]]["ETag"]
    top = listed.json()["results"][0]
    assert top["arxiv_id"] == inside.arxiv_id and top["votes"] == 1
    page = client.get(PAGES[0])
    assert page["X-Cache"] == "miss" and page["ETag"] != first[PAGES[0]]["ETag"]


def test_a_new_latest_day_moves_the_window(client, days):
    latest, _ = days
    before = client.get(PAGES[1])
    later = latest + dt.timedelta(days=1)
    imported = import_on(later)
    after = client.get(PAGES[1])
    assert after["X-Cache"] == "miss" and after["ETag"] != before["ETag"]
    assert after.json()["last_day"] == str(later)
    assert set(imported) <= {p["arxiv_id"] for p in after.json()["results"]}


def test_a_feature_on_a_later_day_moves_the_window(client, days):
    """The window ends at the latest day with a paper or a feature: featuring an old
    paper on the next day moves it there, and lists the paper."""
    latest, _ = days
    before = client.get(PAGES[1])
    old = Paper.objects.filter(announced__lt=latest - dt.timedelta(days=10)).first()
    if old is None:
        old = Paper.objects.get(arxiv_id=import_on(latest - dt.timedelta(days=40), n=1)[0])
        before = client.get(PAGES[1])
    later = latest + dt.timedelta(days=1)
    feature(make_curator(), old, later)
    after = client.get(PAGES[1])
    assert after["ETag"] != before["ETag"]
    assert after.json()["last_day"] == str(later)
    assert old.arxiv_id in {p["arxiv_id"] for p in after.json()["results"]}
    page = client.get(PAGES[0])
    assert page.status_code == 200 and old.title.encode() in page.content
