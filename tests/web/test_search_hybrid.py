"""``/search`` and the paper page's similar papers on the real indexed slice.

The slice (300 papers, keyword rows and embeddings) comes from the search tests'
module fixture; this module uses it instead of the site tests' unindexed corpus.
"""

from __future__ import annotations

import re

import pytest

from paperfeed.catalogue.models import Paper
from paperfeed.search.similar import similar
from paperfeed.web.search import PAGE_SIZE, highlight, query_words, word_pattern
from tests.search import conftest as search_fixtures
from tests.support.search_slice import SIGN_LANGUAGE, a_paper

pytestmark = pytest.mark.django_db

# The search tests' fixtures, under the names the tests ask for (this module's
# ``corpus`` replaces the site tests' unindexed one).
embedder = search_fixtures.embedder
corpus = search_fixtures.corpus


def result_ids(response) -> list[str]:
    return [p.arxiv_id for p in response.context["papers"]]


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_a_title_finds_its_paper_first(client, corpus, mode):
    for index in (5, 120, 260):
        paper = a_paper(corpus, index)
        response = client.get("/search", {"q": paper.title, "mode": mode})
        assert response.status_code == 200
        found = result_ids(response)
        assert found[0] == paper.arxiv_id, (mode, paper.title, found[:3])
        html = response.content.decode()
        assert f'id="paper-{paper.arxiv_id.replace(".", "-")}"' in html or paper.arxiv_id in html


def test_default_mode_is_hybrid_and_results_are_cards_in_hit_order(client, corpus):
    from paperfeed.search.hybrid import search

    response = client.get("/search", {"q": "point cloud segmentation"})
    assert response.status_code == 200 and response.context["mode"] == "hybrid"
    expected = [h.arxiv_id for h in search("point cloud segmentation", limit=PAGE_SIZE)]
    assert result_ids(response) == expected and len(expected) == PAGE_SIZE
    html = response.content.decode()
    assert html.count('class="card"') == PAGE_SIZE
    positions = [html.index(f"arXiv:{arxiv_id}") for arxiv_id in expected]
    assert positions == sorted(positions)


def test_semantic_mode_finds_a_paraphrase(client, corpus):
    assert SIGN_LANGUAGE in corpus
    q = "videos of people signing single words in Persian gesture language, a collection"
    response = client.get("/search", {"q": q, "mode": "semantic"})
    assert SIGN_LANGUAGE in result_ids(response)[:3]


def test_category_filter_excludes_other_categories(client, corpus):
    response = client.get("/search", {"q": "robot navigation learning", "category": "cs.RO"})
    assert response.status_code == 200
    papers = response.context["papers"]
    assert papers
    for paper in papers:
        assert "cs.RO" in {c.code for c in paper.categories.all()}
    # a cs.CV-only paper, found by its own title, is filtered out by cs.RO ...
    cv_only = next(
        p
        for p in Paper.objects.filter(id__in=corpus.values()).order_by("id")
        if {c.code for c in p.categories.all()} == {"cs.CV"}
    )
    filtered = client.get("/search", {"q": cv_only.title, "category": "cs.RO"})
    assert cv_only.arxiv_id not in result_ids(filtered)
    # ... and kept by its archive
    kept = client.get("/search", {"q": cv_only.title, "category": "cs", "mode": "keyword"})
    assert result_ids(kept)[0] == cv_only.arxiv_id


def test_date_filters(client, corpus):
    paper = a_paper(corpus, 30)
    day = paper.announced.isoformat()
    inside = client.get("/search", {"q": paper.title, "from": day, "to": day})
    assert result_ids(inside)[0] == paper.arxiv_id
    for params in ({"from": "2025-03-19"}, {"to": "2025-03-17"}):
        response = client.get("/search", {"q": paper.title, **params})
        assert response.status_code == 200 and result_ids(response) == []
        assert "with these filters" in response.content.decode()


def test_paging(client, corpus):
    q = "image"
    first = client.get("/search", {"q": q, "mode": "keyword"})
    second = client.get("/search", {"q": q, "mode": "keyword", "page": 2})
    one, two = result_ids(first), result_ids(second)
    assert len(one) == PAGE_SIZE and two and not set(one) & set(two)
    html = first.content.decode()
    assert 'rel="next"' in html and 'rel="prev"' not in html
    assert re.search(r'rel="next" href="\?[^"]*page=2', html)
    html = second.content.decode()
    assert 'rel="prev"' in html and "page=1" in html
    far = client.get("/search", {"q": q, "mode": "keyword", "page": 500})
    assert far.status_code == 200 and result_ids(far) == []
    assert 'rel="next"' not in far.content.decode()


def test_matches_are_marked_in_title_and_snippet(client, corpus):
    paper = a_paper(corpus, 60)
    word = max(re.findall(r"[A-Za-z]{6,}", paper.title), key=len)
    response = client.get("/search", {"q": word, "mode": "keyword"})
    html = response.content.decode()
    assert re.search(rf"<mark>{re.escape(word)}\w*</mark>", html, re.IGNORECASE)
    assert '<p class="snippet">' in html


def test_highlighting_escapes_html(client, corpus):
    q = '<script>alert("x")</script> segmentation'
    response = client.get("/search", {"q": q})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<mark>" in html  # segmentation is still marked
    # text that contains markup is escaped around and inside the marks
    pattern = word_pattern(query_words("script amp"))
    out = highlight('<script>x</script> & amp "q"', pattern)
    assert "<script>" not in out and "&amp;" in out
    assert out.count("<mark>") == 3 and "<mark>amp</mark>" in out
    assert highlight("a <b>", None) == "a &lt;b&gt;"


@pytest.mark.parametrize(
    "q",
    [
        "x" * 10_000,
        '"unbalanced',
        "title: NOT OR AND NEAR( *",
        "a\x00b\x00",
        "'; DROP TABLE catalogue_paper; --",
        "🙂 ümlaut 深度学习",
    ],
)
@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_hostile_queries_never_raise(client, corpus, q, mode):
    assert client.get("/search", {"q": q, "mode": mode}).status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"mode": "fuzzy"}, "fuzzy"),
        ({"from": "yesterday"}, "yesterday"),
        ({"to": "2025-13-45"}, "2025-13-45"),
        ({"from": "2025-03-20", "to": "2025-03-01"}, "after"),
        ({"category": "xx.NOPE"}, "xx.NOPE"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "two"),
    ],
)
def test_bad_parameters_give_a_400_page(client, corpus, params, message):
    response = client.get("/search", {"q": "segmentation", **params})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_filter_form_has_labelled_inputs(client, corpus):
    html = client.get("/search", {"q": "segmentation", "category": "cs.CV"}).content.decode()
    for field in ("search-q", "search-mode", "search-category", "search-from", "search-to"):
        assert f'<label for="{field}"' in html and f'id="{field}"' in html
    assert 'value="cs.CV"' in html


def test_arxiv_id_still_redirects_and_authors_still_match(client, corpus):
    paper = a_paper(corpus, 3)
    response = client.get("/search", {"q": f"arXiv:{paper.arxiv_id}v1"})
    assert response.status_code == 302 and response["Location"] == f"/papers/{paper.arxiv_id}"
    author = paper.authorships.order_by("position").first().author
    response = client.get("/search", {"q": author.name})
    assert author.name in [a.name for a in response.context["authors"]]


def test_paper_page_lists_similar_papers(client, corpus):
    paper = a_paper(corpus, 42)
    response = client.get(f"/papers/{paper.arxiv_id}")
    assert response.status_code == 200
    shown = [p.arxiv_id for p in response.context["similar"]]
    expected = [h.arxiv_id for h in similar(paper.arxiv_id, 6)]
    assert shown == expected and len(shown) == 6
    assert paper.arxiv_id not in shown
    html = response.content.decode()
    section = html[html.index('id="similar-title"') :]
    for arxiv_id in shown:
        assert f"arXiv:{arxiv_id}" in section


def test_paper_without_a_vector_has_no_similar_papers(client, corpus):
    from paperfeed.search import vectors
    from paperfeed.search.models import PaperEmbedding

    paper = a_paper(corpus, 43)
    PaperEmbedding.objects.filter(paper_id=paper.id).delete()  # rolled back after the test
    vectors.clear_caches()
    try:
        response = client.get(f"/papers/{paper.arxiv_id}")
        assert response.status_code == 200 and response.context["similar"] == []
        assert "once the search index is built" in response.content.decode()
    finally:
        vectors.clear_caches()
