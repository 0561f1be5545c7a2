"""The daily feed at /: days, spans, categories, paging, caching, bad parameters."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from paperfeed.catalogue.models import Paper

pytestmark = pytest.mark.django_db

LATEST = dt.date(2025, 3, 28)


def test_latest_day_is_the_default(client, corpus):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Papers of Friday, 28 March 2025" in html
    papers = response.context["papers"]
    assert papers and all(p.announced == LATEST for p in papers)
    assert response.context["span_total"] == Paper.objects.filter(announced=LATEST).count()
    assert 'rel="prev" href="?date=2025-03-27"' in html
    assert 'rel="next" href="?date=' not in html


def test_day_navigation_links_to_days_with_papers(client, corpus):
    html = client.get("/?date=2025-03-24").content.decode()
    # 22 and 23 March are a weekend with no announcements: previous is Friday 21st
    assert 'rel="prev" href="?date=2025-03-21"' in html
    assert 'rel="next" href="?date=2025-03-25"' in html
    assert '<input id="date-picker" type="date" name="date" value="2025-03-24"' in html
    assert 'min="2025-03-18"' in html and 'max="2025-03-28"' in html
    assert "This week" in html and "This month" in html


def test_first_day_has_no_previous(client, corpus):
    html = client.get("/?date=2025-03-18").content.decode()
    assert "← Earlier" in html and 'rel="prev"' not in html
    assert 'rel="next" href="?date=2025-03-19"' in html


def test_day_without_papers_says_so_and_links_neighbours(client, corpus):
    response = client.get("/?date=2025-03-22")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No papers were announced on Saturday, 22 March 2025" in html
    assert "?date=2025-03-21" in html and "?date=2025-03-24" in html


def test_all_cards_are_grouped_by_primary_category_largest_first(client, corpus):
    response = client.get("/?date=2025-03-18&show=all&view=list")
    html = response.content.decode()
    papers = response.context["papers"]
    assert len(papers) == 200  # paged
    papers += client.get("/?date=2025-03-18&show=all&view=list&page=2").context["papers"]
    facets = [f["code"] for f in response.context["facets"]]
    sizes = [f["count"] for f in response.context["facets"]]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > sizes[-1]
    codes = [p.primary_category_id for p in papers]
    groups = list(dict.fromkeys(codes))
    assert groups == facets[: len(groups)]  # categories by size, not by name
    assert groups != sorted(groups)
    assert re.search(r'<h3 class="group-title"[^>]*>cs\.\w\w', html)
    response = client.get("/?date=2025-03-18&show=all")
    html = response.content.decode()
    assert len(response.context["papers"]) == 50
    paper = response.context["papers"][0]
    assert paper.title.replace("'", "&#x27;")[:40] in html
    assert f'href="/papers/{paper.arxiv_id}"' in html
    assert f'href="{paper.abs_url}"' in html and f'href="{paper.pdf_url}"' in html
    assert '<details class="abstract">' in html


def test_long_bylines_are_shortened_with_et_al(client, corpus):
    response = client.get("/?date=2025-03-18&show=all")
    html = response.content.decode()
    long = next(p for p in response.context["papers"] if p.authorships.count() > 5)
    names = [a.author.name for a in long.authorships.all()]
    card = html[html.index(f'id="paper-{long.arxiv_id.replace(".", "")}"') :]
    card = card[: card.index("</article>")]
    assert names[0] in card and names[3] in card
    assert names[4] not in card and names[-1] not in card
    assert f'title="and {len(names) - 4} more">et al.' in card


def test_category_filter_and_facets(client, corpus):
    response = client.get("/?date=2025-03-18&category=cs.CV")
    assert response.status_code == 200
    papers = response.context["papers"]
    assert papers and all(p.primary_category_id == "cs.CV" for p in papers)
    facets = {f["code"]: f["count"] for f in response.context["facets"]}
    expected = Paper.objects.filter(
        announced=dt.date(2025, 3, 18), primary_category_id="cs.CV"
    ).count()
    assert facets["cs.CV"] == expected == response.context["page"].total
    assert 'aria-current="true" title="Computer Vision' in response.content.decode()


def test_week_and_month_spans(client, corpus):
    week = client.get("/?date=2025-03-26&span=week")
    assert week.status_code == 200
    assert week.context["first"] == dt.date(2025, 3, 24)
    assert week.context["last"] == dt.date(2025, 3, 30)
    assert (
        week.context["span_total"]
        == Paper.objects.filter(
            announced__range=(dt.date(2025, 3, 24), dt.date(2025, 3, 30))
        ).count()
    )
    month = client.get("/?date=2025-03-26&span=month")
    assert month.context["span_total"] == 2000
    assert "Papers of March 2025" in month.content.decode()


def test_paging(client, corpus):
    first = client.get("/?date=2025-03-18&show=all")
    second = client.get("/?date=2025-03-18&page=2")
    assert second.status_code == 200
    assert {p.pk for p in first.context["papers"]}.isdisjoint(
        p.pk for p in second.context["papers"]
    )
    assert 'rel="next" href="?date=2025-03-18&amp;page=3"' in second.content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ("date=2025-13-45", "is not a date"),
        ("date=yesterday", "is not a date"),
        ("date=" + "9" * 500, "is not a date"),
        ("category=xx.YY", "unknown category"),
        ("page=-1", "page must be between"),
        ("page=0", "page must be between"),
        ("page=abc", "page must be a whole number"),
        ("page=999", "past the end"),
        ("span=year", "span must be one of"),
        ("view=grid", "view must be one of cards, list"),
        ("show=best", "show must be one of top, all"),
        ("show=top&page=2", "the top of the day has one page"),
    ],
)
def test_bad_parameters_get_a_400_page(client, corpus, query, message):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "<main" in response.content.decode()


def test_etag_and_cache_control(client, corpus):
    response = client.get("/?date=2025-03-19")
    assert "max-age=300" in response["Cache-Control"]
    etag = response["ETag"]
    again = client.get("/?date=2025-03-19", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    other = client.get("/?date=2025-03-20", HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200 and other["ETag"] != etag


def test_etag_changes_when_the_catalogue_changes(client, corpus):
    etag = client.get("/")["ETag"]
    Paper.objects.filter(announced=LATEST).first().save()
    assert client.get("/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_few_queries_per_page(client, corpus, django_assert_max_num_queries):
    client.get("/")  # fills the days cache
    # the span's catalogue version is one of them: read once a span per process, until
    # the catalogue changes
    with django_assert_max_num_queries(9):
        assert client.get("/?date=2025-03-25").status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get("/?date=2025-03-25&span=month&page=3").status_code == 200


def test_atom_link_is_discoverable(client, corpus):
    html = client.get("/?category=cs.CL").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="paperfeed: new papers in cs.CL" '
        'href="/feeds/daily.atom?category=cs.CL">' in html
    )


def test_repeat_visits_are_served_from_the_page_cache(
    client, corpus, django_assert_max_num_queries
):
    first = client.get("/?date=2025-03-21&span=week")
    # the ETag's two index lookups, plus the community revision when its
    # once-a-second memo has lapsed between the two requests
    with django_assert_max_num_queries(3):
        again = client.get("/?date=2025-03-21&span=week")
    assert again.content == first.content and again["ETag"] == first["ETag"]
    # a reader with a session gets a fresh render (pages will show per-reader bits)
    client.cookies["sessionid"] = "abc"
    with django_assert_max_num_queries(12) as captured:
        assert client.get("/?date=2025-03-21&span=week").status_code == 200
    assert len(captured) > 2
