"""The revisions pages key on: a write to a paper's community state moves the whole
community's revision and those of the days the paper counts for, no other day's; the
pages that list a span of days (the daily feed, the API's list of one day) stay
cached while other days' papers are voted on, and never show a stale count."""

from __future__ import annotations

import datetime as dt

import pytest

from paperfeed.catalogue.models import Paper
from paperfeed.community import revisions, state
from paperfeed.community.curation import feature, hide
from paperfeed.community.models import Comment, DayRevision, Feature
from paperfeed.community.votes import cast
from paperfeed.web.responses import clear_page_cache
from tests.support.community import load_papers, make_curator, make_reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_days() -> tuple[Paper, Paper]:
    """A paper of the latest day and one of the day before (711 listings: three days)."""
    papers = load_papers(711)
    latest = papers[0]
    older = next(p for p in papers if p.announced < latest.announced)
    clear_page_cache()
    return latest, older


def spans(*papers: Paper) -> list[str]:
    revisions.forget()
    return [revisions.span_revision(p.announced, p.announced) for p in papers]


def test_a_vote_moves_its_day_and_the_whole_community_only(two_days):
    latest, older = two_days
    before, whole = spans(latest, older), revisions.revision()
    assert cast(make_reader(), latest)
    after = spans(latest, older)
    assert after[0] != before[0] and after[1] == before[1]
    assert revisions.revision() != whole
    # a span holding the day moves too; one beside it does not
    week = (older.announced, latest.announced)
    moved = revisions.span_revision(*week)
    assert cast(make_reader(), latest)
    assert revisions.span_revision(*week) != moved
    assert revisions.span_revision(older.announced, older.announced) == after[1]


def test_every_kind_of_write_moves_the_papers_days(two_days):
    latest, older = two_days
    writes = {
        "hidden": lambda: hide(make_curator(), older),
        "comment": lambda: Comment.objects.create(
            paper=older, author=make_reader(), body="A comment on the method."
        ),
        "stars": lambda: state.set_stars({older.pk: (120, 30)}),
        "recount": lambda: state.recount_votes([older.pk]),
        "recompute": lambda: state.recompute(),
    }
    for name, write in writes.items():
        before = spans(older)
        write()
        assert spans(older) != before, name


def test_a_feature_moves_the_day_it_leaves_and_the_day_it_joins(two_days):
    """A naive latest-time-of-the-day's-rows would miss the day a paper left: its row
    no longer counts for it. Counters on both days catch it."""
    latest, older = two_days
    curator = make_curator()
    before = spans(latest, older)
    assert feature(curator, older, latest.announced)  # featured on the latest day
    featured = spans(latest, older)
    assert featured[0] != before[0] and featured[1] != before[1]
    Feature.objects.filter(paper=older).delete()
    state.refresh_feature(older.pk)  # no longer featured: back to its own day only
    assert spans(latest)[0] != featured[0]


def test_a_new_day_touched_twice_counts_twice(two_days):
    day = dt.date(2030, 1, 1)
    revisions.touch([day, None])
    revisions.touch([day])
    assert DayRevision.objects.get(day=day).revision == 2


def test_a_day_page_stays_cached_while_another_days_papers_are_voted_on(client, two_days):
    latest, older = two_days
    old_page = f"/?date={older.announced}"
    new_page = f"/?date={latest.announced}"
    old_api = f"/api/papers?date={older.announced}&limit=200"
    first = {url: client.get(url) for url in (old_page, new_page, old_api)}
    assert all(r["X-Cache"] == "miss" for r in first.values())
    assert cast(make_reader(), latest)
    again = {url: client.get(url) for url in (old_page, new_page, old_api)}
    # the older day's pages: same version, from the cache
    for url in (old_page, old_api):
        assert again[url]["ETag"] == first[url]["ETag"] and again[url]["X-Cache"] == "hit"
    # the voted day's page: a new version showing the vote
    assert again[new_page]["ETag"] != first[new_page]["ETag"]
    assert again[new_page]["X-Cache"] == "miss"
    # a vote on the older day's paper reaches its page at once, a curator's hiding
    # its API list
    assert cast(make_reader(), older)
    page = client.get(old_page)
    assert page["X-Cache"] == "miss" and page["ETag"] != first[old_page]["ETag"]
    hide(make_curator(), older)
    listed = client.get(old_api)
    assert listed["X-Cache"] == "miss"
    assert older.arxiv_id in [p["arxiv_id"] for p in first[old_api].json()["results"]]
    assert older.arxiv_id not in [p["arxiv_id"] for p in listed.json()["results"]]
