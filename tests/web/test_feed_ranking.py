"""The daily feed ranked: featured first, then votes, then new code stars, then the
reader's fit (a hook); the top of the day first with the rest one click away; a list
view that every link keeps; cached pages that follow votes and stars."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from paperfeed.catalogue.models import Paper
from paperfeed.community.curation import feature
from paperfeed.community.revisions import forget as forget_revisions
from paperfeed.community.state import set_stars
from paperfeed.community.votes import cast
from paperfeed.recommend.rank import Fit
from paperfeed.web import daily, ranking
from paperfeed.web.responses import clear_page_cache
from tests.support.community import make_curator, make_reader

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 18)


def day_papers() -> list[Paper]:
    """The day's papers in the default order (newest arXiv id first)."""
    return list(Paper.objects.filter(announced=DAY).order_by("-arxiv_id"))


def top_ids(client, query: str = "") -> list[str]:
    clear_page_cache()  # a cached page has no context to read
    response = client.get(f"/?date={DAY}{query}")
    assert response.status_code == 200
    return [p.arxiv_id for p in response.context["papers"]]


def vote(paper: Paper, n: int) -> None:
    for i in range(n):
        cast(make_reader(f"v{paper.pk}x{i}"), paper)


def test_without_signals_the_top_is_the_newest_and_the_rest_one_click_away(client, corpus):
    papers = day_papers()
    response = client.get(f"/?date={DAY}")
    html = response.content.decode()
    assert top_ids(client) == [p.arxiv_id for p in papers[: daily.TOP_COUNT]]
    assert "Top of the day" in html and "newest first; no votes yet" in html
    assert f'href="?date={DAY}&amp;show=all">See all {len(papers)} papers, by category' in html
    assert f">All {len(papers)}</a>" in html  # the switch between top and all


def test_votes_then_new_stars_then_stars_then_newest(client, corpus):
    papers = day_papers()
    oldest, older, old, plain = papers[-1], papers[-2], papers[-3], papers[-4]
    vote(oldest, 2)
    vote(older, 1)
    set_stars({old.pk: (40, 30), plain.pk: (900, 0)})  # (stars, gained this week)
    ids = top_ids(client)
    assert ids[:4] == [oldest.arxiv_id, older.arxiv_id, old.arxiv_id, plain.arxiv_id]
    assert ids[4] == papers[0].arxiv_id
    html = client.get(f"/?date={DAY}").content.decode()
    assert "by votes, submissions and new code stars" in html


def test_featured_papers_come_first_and_are_not_repeated(client, corpus):
    papers = day_papers()
    picked = papers[-1]
    vote(papers[-2], 3)
    feature(make_curator("cora"), picked, DAY)
    response = client.get(f"/?date={DAY}")
    assert [p.arxiv_id for p in response.context["featured"]] == [picked.arxiv_id]
    ids = [p.arxiv_id for p in response.context["papers"]]
    assert picked.arxiv_id not in ids and ids[0] == papers[-2].arxiv_id
    # in the full listing the featured paper leads its category
    everything = client.get(f"/?date={DAY}&show=all&category={picked.primary_category_id}")
    assert everything.context["papers"][0].arxiv_id == picked.arxiv_id


def test_reader_fit_is_the_fourth_key(client, corpus, monkeypatch):
    papers = day_papers()
    voted, fitting = papers[-1], papers[-2]
    vote(voted, 1)
    monkeypatch.setattr(ranking, "reader_fit", lambda request, ids: {fitting.pk: Fit(0.9)})
    assert top_ids(client)[:3] == [voted.arxiv_id, fitting.arxiv_id, papers[0].arxiv_id]


def test_a_category_lists_its_papers_ranked(client, corpus):
    papers = [p for p in day_papers() if p.primary_category_id == "cs.CV"]
    vote(papers[-1], 1)
    ids = top_ids(client, "&category=cs.CV")
    assert ids[0] == papers[-1].arxiv_id and len(ids) == min(len(papers), 50)
    assert set(ids) <= {p.arxiv_id for p in papers}


def test_the_list_view_is_compact_and_every_link_keeps_it(client, corpus):
    response = client.get(f"/?date={DAY}&view=list&show=all")
    html = response.content.decode()
    assert '<ol class="rows">' in html and 'class="card"' not in html
    assert len(response.context["papers"]) == min(daily.LIST_PAGE_SIZE, len(day_papers()))
    assert html.count('<li class="row"') == len(response.context["papers"])
    assert '<details class="abstract">' not in html  # titles to scan, no abstracts
    # date steps, spans, facets and the date form keep the view (and what is shown)
    assert 'rel="next" href="?date=2025-03-19&amp;show=all&amp;view=list"' in html
    assert f'href="?date={DAY}&amp;span=week&amp;show=all&amp;view=list"' in html
    facet = re.search(r'<a href="(\?[^"]*category=cs\.CV[^"]*)"', html).group(1)
    assert "view=list" in facet and "show=all" in facet
    assert '<input type="hidden" name="view" value="list">' in html
    assert 'aria-current="page">List</a>' in html
    # the cards view is one click back
    assert f'href="?date={DAY}&amp;show=all">Cards</a>' in html


def test_the_cached_page_follows_votes_and_stars(client, corpus):
    papers = day_papers()
    first = client.get(f"/?date={DAY}")
    assert client.get(f"/?date={DAY}", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    vote(papers[-1], 1)
    after_vote = client.get(f"/?date={DAY}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert after_vote.status_code == 200
    assert after_vote.context["papers"][0].arxiv_id == papers[-1].arxiv_id
    set_stars({papers[-2].pk: (50, 50)})  # refresh-stars runs in another process:
    forget_revisions()  # its change shows here within a second
    after_stars = client.get(f"/?date={DAY}", HTTP_IF_NONE_MATCH=after_vote["ETag"])
    assert after_stars.status_code == 200
    assert [p.arxiv_id for p in after_stars.context["papers"][:2]] == [
        papers[-1].arxiv_id,
        papers[-2].arxiv_id,
    ]


def test_a_few_queries_for_the_top_and_the_list(client, corpus, django_assert_max_num_queries):
    client.get("/")  # fills the days cache
    with django_assert_max_num_queries(8):
        assert client.get(f"/?date={DAY}").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"/?date={DAY}&view=list&show=all").status_code == 200
