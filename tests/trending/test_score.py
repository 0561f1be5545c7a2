"""The trending score: formula, ranking with votes and stars, hidden papers, the
recompute command, the API's parts and the paper page's summary."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client

from paperfeed.community import state
from paperfeed.community.models import PaperState
from paperfeed.community.votes import cast
from paperfeed.trending import score
from paperfeed.trending.ranking import trending_papers, window_bounds
from tests.support.community import load_papers, make_reader

DAY = 24.0


def test_formula():
    # no points: newer first
    assert score.score(0, 1 * DAY) > score.score(0, 2 * DAY)
    # one more vote beats a day of age for fresh papers...
    assert score.score(1, 2 * DAY) > score.score(0, 1 * DAY)
    # ...and polynomial decay: a week-old paper needs ~4.4x the points of a 1-day-old one
    ratio = ((7 + 2) / (1 + 2)) ** score.GRAVITY
    assert score.score(ratio * 10 - 1 + 0.5, 7 * DAY) > score.score(9, 1 * DAY)
    assert score.points_for(3, 25) == 3 + 2.5
    assert score.points_for(3, -40) == 3  # lost stars never count against a paper


@pytest.mark.django_db
def test_votes_and_star_growth_reorder_the_window(client):
    papers = load_papers(711)  # three announcement days, 2025-03-18..20
    bounds = window_bounds("week")
    before = trending_papers("week", limit=50)
    keys = [(p.announced, p.arxiv_id) for p in before]
    assert keys == sorted(keys, reverse=True)  # recency while nobody voted
    oldest = [p for p in papers if p.announced == bounds[1] - dt.timedelta(days=2)][-1]
    readers = [make_reader() for _ in range(12)]
    for reader in readers:
        cast(reader, oldest)
    ranked = trending_papers("week", limit=50)
    assert ranked[0] == oldest
    parts = ranked[0].trending
    assert parts.votes == 12 and parts.stars_gained == 0
    assert parts.age_hours == pytest.approx(72.0)  # two days before the last day's end
    assert parts.score == pytest.approx(score.score(12, 72.0))

    # star growth: +300 stars this week = 30 points
    starred = [p for p in papers if p.announced == bounds[1] - dt.timedelta(days=1)][0]
    state.set_stars({starred.pk: (1000, 300)})
    ranked = trending_papers("week", limit=3)
    assert ranked[0] == starred and ranked[0].trending.stars == 1000
    assert ranked[1] == oldest
    # the day window only holds the last day's papers
    assert {p.announced for p in trending_papers("day", limit=200)} == {bounds[1]}

    # hidden by a curator: gone from every window
    state.set_hidden(starred.pk, True)
    assert starred not in trending_papers("week", limit=200)


@pytest.mark.django_db
def test_recompute_rebuilds_rows_from_the_tables():
    papers = load_papers(30)
    a, b = make_reader(), make_reader()
    cast(a, papers[3])
    cast(b, papers[3])
    cast(a, papers[5])
    PaperState.objects.filter(paper=papers[3]).update(votes=99, points=99)  # drift
    before = [p.arxiv_id for p in trending_papers("day")]
    call_command("trending", "recompute", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert PaperState.objects.count() == 30
    assert PaperState.objects.get(paper=papers[3]).votes == 2
    assert PaperState.objects.get(paper=papers[5]).points == 1
    assert [p.arxiv_id for p in trending_papers("day")][:2] == [
        papers[3].arxiv_id,
        papers[5].arxiv_id,
    ]
    assert before[:2] == [papers[3].arxiv_id, papers[5].arxiv_id]


@pytest.mark.django_db
def test_api_returns_scores_with_their_parts(client):
    papers = load_papers(120)
    cast(make_reader(), papers[7])
    body = client.get("/api/trending?window=day&limit=5").json()
    first = body["results"][0]
    assert first["arxiv_id"] == papers[7].arxiv_id
    assert first["votes"] == 1 and first["stars"] == 0 and first["stars_gained"] == 0
    assert first["age_hours"] == pytest.approx(24.0)
    assert first["score"] == pytest.approx(score.score(1, 24.0))
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert client.get("/api/trending?window=year").status_code == 400


@pytest.mark.django_db
def test_paper_page_shows_the_parts_and_pages_follow_votes(client):
    papers = load_papers(20)
    paper = papers[0]
    state.set_stars({paper.pk: (340, 340)})
    for _ in range(12):
        cast(make_reader(), paper)
    html = client.get(f"/papers/{paper.arxiv_id}").content.decode()
    assert "12 votes, +340 stars this week, 1 day old" in html

    # an anonymous reader's cached trending page changes when someone votes
    first = client.get("/trending?window=day")
    assert '<span class="vote-count">12</span>' in first.content.decode()
    voter = Client()
    voter.force_login(make_reader())
    voter.post(f"/papers/{paper.arxiv_id}/vote", {"action": "up"})
    again = client.get("/trending?window=day")
    assert again["ETag"] != first["ETag"]
    assert '<span class="vote-count">13</span>' in again.content.decode()
