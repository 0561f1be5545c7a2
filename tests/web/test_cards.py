"""Paper cards (paperfeed.web.cards): escaping, bylines, code links, vote buttons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.test import RequestFactory
from django.utils.safestring import mark_safe

from paperfeed.catalogue.models import Author, Authorship, Category, Paper
from paperfeed.codelinks.models import CodeLink, CodeRepository
from paperfeed.community.listing import card_queryset
from paperfeed.web.cards import render_cards

pytestmark = pytest.mark.django_db

HOSTILE = "<img src=x onerror=\"alert(1)\"> & 'quotes'"


@pytest.fixture
def paper():
    category, _ = Category.objects.get_or_create(code="cs.CL", defaults={"name": "Computation"})
    paper = Paper.objects.create(
        arxiv_id="2601.00001",
        title=f"Attention {HOSTILE}",
        abstract="word " * 100,
        primary_category=category,
        announced=dt.date(2026, 1, 5),
    )
    paper.categories.add(category)
    for position, name in enumerate([HOSTILE, "B Two", "C Three", "D Four", "E Five", "F Six"]):
        author = Author.objects.create(name=name)
        Authorship.objects.create(paper=paper, author=author, position=position)
    repo = CodeRepository.objects.create(
        host="github", full_name="owner/repo", url="https://github.com/owner/repo", stars=42
    )
    CodeLink.objects.create(paper=paper, repository=repo, source=CodeLink.ABSTRACT)
    return paper


def _render(request, **kwargs) -> str:
    return str(render_cards(request, list(card_queryset().filter(arxiv_id="2601.00001")), **kwargs))


def _anonymous():
    request = RequestFactory().get("/?date=2026-01-05")
    request.user = AnonymousUser()
    return request


def test_text_is_escaped_and_markup_kept(paper):
    html = _render(_anonymous())
    assert "<img" not in html
    assert "Attention &lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &#39;quotes&#39;" in html
    assert '<a href="/authors/' in html and "&lt;img src=x" in html.split('class="byline"')[1]
    assert 'aria-labelledby="title-260100001"' in html
    assert '<time datetime="2026-01-05">5 Jan 2026</time>' in html


def test_search_highlights_are_not_escaped_twice(paper):
    loaded = list(card_queryset().filter(arxiv_id="2601.00001"))
    loaded[0].title_html = mark_safe("<mark>Attention</mark> please")
    html = str(render_cards(_anonymous(), loaded))
    assert "<mark>Attention</mark> please" in html


def test_byline_code_link_and_wrapping(paper):
    html = _render(_anonymous(), level=4, wrap="li")
    assert html.strip().startswith('<li><article class="card" id="paper-260100001"')
    assert '<h4 class="card-title"' in html
    assert "D Four" in html and "E Five" not in html
    assert 'title="and 2 more">et al.' in html
    assert 'href="https://github.com/owner/repo"' in html and "★ 42" in html
    assert '<details class="abstract">' in html  # a long abstract folds


def test_vote_button_per_reader(paper):
    anonymous = _render(_anonymous())
    assert 'href="/accounts/login?next=%2F%3Fdate%3D2026-01-05"' in anonymous
    request = RequestFactory().get("/")
    request.user = User.objects.create_user("reader", "r@example.org", "a long passphrase 1")
    signed_in = _render(request)
    assert 'name="csrfmiddlewaretoken"' in signed_in
    assert 'action="/papers/2601.00001/vote"' in signed_in
    assert 'aria-pressed="false"' in signed_in
