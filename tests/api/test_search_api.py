"""``/api/search`` and ``/api/papers/<id>/similar`` on the real indexed slice.

The slice (300 papers, keyword rows and embeddings) comes from the search tests'
module fixture; this module uses it instead of the API tests' unindexed corpus.
"""

from __future__ import annotations

import pytest

from paperfeed.catalogue.models import Paper
from paperfeed.search.hybrid import search
from paperfeed.search.similar import similar
from tests.search import conftest as search_fixtures
from tests.support.search_slice import SIGN_LANGUAGE, a_paper

pytestmark = pytest.mark.django_db

embedder = search_fixtures.embedder
corpus = search_fixtures.corpus


def get(client, path: str, **params):  # type: ignore[no-untyped-def]
    return client.get(path, params)


def found(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["arxiv_id"] for r in response.json()["results"]]


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "semantic"])
def test_a_title_finds_its_paper_first(client, corpus, mode):
    for index in (5, 120, 260):
        paper = a_paper(corpus, index)
        response = get(client, "/api/search", q=paper.title, mode=mode)
        body = response.json()
        assert body["query"] == paper.title and body["mode"] == mode
        first = body["results"][0]
        assert first["arxiv_id"] == paper.arxiv_id and first["title"] == paper.title
        assert first["score"] > 0 and first["url"].endswith(f"/papers/{paper.arxiv_id}")
        if mode == "keyword":
            assert first["keyword_rank"] == 1 and first["semantic_rank"] is None
        elif mode == "semantic":
            assert first["semantic_rank"] == 1 and first["keyword_rank"] is None
        else:
            assert first["keyword_rank"] is not None and first["semantic_rank"] is not None


def test_results_follow_the_engine(client, corpus):
    body = get(client, "/api/search", q="depth estimation", limit=15).json()
    assert body["mode"] == "hybrid"
    hits = search("depth estimation", limit=15)
    assert [r["arxiv_id"] for r in body["results"]] == [h.arxiv_id for h in hits]
    assert [r["score"] for r in body["results"]] == [round(h.score, 6) for h in hits]
    assert [r["keyword_rank"] for r in body["results"]] == [h.keyword_rank for h in hits]
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True) and len(scores) == 15


def test_semantic_mode_finds_a_paraphrase(client, corpus):
    q = "videos of people signing single words in Persian gesture language, a collection"
    assert SIGN_LANGUAGE in found(get(client, "/api/search", q=q, mode="semantic", limit=3))


def test_filters_exclude_what_they_should(client, corpus):
    results = get(client, "/api/search", q="robot learning", category="cs.RO").json()["results"]
    assert results and all("cs.RO" in r["categories"] for r in results)
    cv_only = next(
        p
        for p in Paper.objects.filter(id__in=corpus.values()).order_by("id")
        if {c.code for c in p.categories.all()} == {"cs.CV"}
    )
    assert cv_only.arxiv_id not in found(
        get(client, "/api/search", q=cv_only.title, category="cs.RO")
    )
    assert found(get(client, "/api/search", q=cv_only.title, category="cs", mode="keyword"))[0] == (
        cv_only.arxiv_id
    )
    day = cv_only.announced.isoformat()
    assert found(get(client, "/api/search", q=cv_only.title, **{"from": day, "to": day}))[0] == (
        cv_only.arxiv_id
    )
    assert found(get(client, "/api/search", q=cv_only.title, **{"from": "2025-03-19"})) == []
    assert found(get(client, "/api/search", q=cv_only.title, to="2025-03-17")) == []


def test_limit_and_offset_page_through(client, corpus):
    whole = found(get(client, "/api/search", q="image", mode="keyword", limit=30))
    first = found(get(client, "/api/search", q="image", mode="keyword", limit=15))
    second = found(get(client, "/api/search", q="image", mode="keyword", limit=15, offset=15))
    assert len(whole) == 30 and first + second == whole
    body = get(client, "/api/search", q="image", limit=100).json()
    assert body["limit"] == 100 and len(body["results"]) <= 100


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"mode": "fuzzy"}, "fuzzy"),
        ({"limit": "101"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "ten"}, "limit"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2025-13-45"}, "to"),
        ({"from": "2025-03-20", "to": "2025-03-01"}, "after"),
        ({"category": "xx.NOPE"}, "xx.NOPE"),
    ],
)
def test_bad_parameters_give_400_json(client, corpus, params, message):
    response = client.get("/api/search", {"q": "segmentation", **params})
    assert response.status_code == 400
    assert message in response.json()["detail"]


@pytest.mark.parametrize(
    "q", ["x" * 10_000, '"', "NEAR( OR AND *", "a\x00b", "<script>", "🙂 深度学习", ""]
)
def test_hostile_queries_never_raise(client, corpus, q):
    for mode in ("hybrid", "keyword", "semantic"):
        response = client.get("/api/search", {"q": q, "mode": mode})
        assert response.status_code == 200 and isinstance(response.json()["results"], list)


def test_similar_papers(client, corpus):
    paper = a_paper(corpus, 42)
    body = get(client, f"/api/papers/{paper.arxiv_id}/similar", limit=5).json()
    assert body["arxiv_id"] == paper.arxiv_id
    ids = [r["arxiv_id"] for r in body["results"]]
    assert ids == [h.arxiv_id for h in similar(paper.arxiv_id, 5)] and len(ids) == 5
    assert paper.arxiv_id not in ids
    assert [r["semantic_rank"] for r in body["results"]] == [1, 2, 3, 4, 5]
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    default = get(client, f"/api/papers/{paper.arxiv_id}v2/similar").json()
    assert len(default["results"]) == 10 and default["arxiv_id"] == paper.arxiv_id


def test_similar_papers_of_an_old_style_id(client, corpus):
    from paperfeed.catalogue.ingest import Ingestor
    from paperfeed.search.indexing import index_papers_now
    from tests.support.corpus import OLD_STYLE_ID, old_style_records

    with search_fixtures.without_index_signal():
        result = Ingestor().ingest(list(old_style_records()))  # rolled back after the test
    index_papers_now(result.changed_ids)
    try:
        body = get(client, f"/api/papers/{OLD_STYLE_ID}/similar", limit=3).json()
        ids = [r["arxiv_id"] for r in body["results"]]
        assert body["arxiv_id"] == OLD_STYLE_ID and len(ids) == 3 and OLD_STYLE_ID not in ids
        # the paper route itself still answers for the slashed id
        assert get(client, f"/api/papers/{OLD_STYLE_ID}").json()["arxiv_id"] == OLD_STYLE_ID
    finally:
        from paperfeed.search import vectors

        vectors.clear_caches()


def test_similar_papers_errors(client, corpus):
    response = client.get("/api/papers/2503.99999/similar")
    assert response.status_code == 404 and "2503.99999" in response.json()["detail"]
    assert client.get("/api/papers/not-an-id/similar").status_code in (400, 404)
    paper = a_paper(corpus, 1)
    assert client.get(f"/api/papers/{paper.arxiv_id}/similar?limit=0").status_code == 400
    assert client.get(f"/api/papers/{paper.arxiv_id}/similar?limit=500").status_code == 400


def test_endpoints_are_documented(client, corpus):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/search" in paths and "/api/papers/{arxiv_id}/similar" in paths


def test_dates_are_echoed_under_the_names_the_request_uses(client, corpus):
    params = {"q": "segmentation", "from": "2025-03-18", "to": "2025-03-20"}
    body = client.get("/api/search", params).json()
    assert body["from"] == "2025-03-18" and body["to"] == "2025-03-20"
    assert "date_from" not in body and "date_to" not in body
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]["SearchResults"]
    assert {"from", "to"} <= set(schema["properties"])


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("/api/search", {"q": "segmentation", "date_from": "2025-03-18"}, "'date_from'"),
        ("/api/search", {"q": "x", "date_to": "2025-03-18", "sort": "new"}, "'date_to', 'sort'"),
        ("/api/papers", {"day": "2025-03-18"}, "'day'"),
        ("/api/trending", {"windw": "day"}, "'windw'"),
        ("/api/days", {"page": "2"}, "'page'"),
    ],
)
def test_unknown_parameters_get_a_400_naming_them(client, corpus, path, params, named):
    response = client.get(path, params)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert f"unknown parameter{'s' if ',' in named else ''} {named}" in detail
    assert "takes" in detail


def test_similar_and_paper_refuse_unknown_parameters(client, corpus):
    paper = a_paper(corpus, 3)
    for path in (f"/api/papers/{paper.arxiv_id}", f"/api/papers/{paper.arxiv_id}/similar"):
        response = client.get(path, {"limt": "3"})
        assert response.status_code == 400 and "'limt'" in response.json()["detail"]
    assert client.get(f"/api/papers/{paper.arxiv_id}/similar", {"limit": "3"}).status_code == 200


def test_an_author_query_is_answered_by_keywords_alone(client, corpus):
    """``author:"Full Name"`` in the default mode: that author's papers and nothing
    padded in from the meaning half."""
    paper = a_paper(corpus, 40)
    name = paper.authorships.order_by("position").first().author.name
    q = f'author:"{name}"'
    hybrid = get(client, "/api/search", q=q).json()["results"]
    keyword = found(get(client, "/api/search", q=q, mode="keyword"))
    assert [r["arxiv_id"] for r in hybrid] == keyword
    assert paper.arxiv_id in keyword
    assert all(name in r["authors"] for r in hybrid)
    assert all(r["semantic_rank"] is None for r in hybrid)


def test_search_says_how_much_meaning_search_covers(client, corpus):
    from paperfeed.search import vectors
    from paperfeed.search.models import PaperEmbedding

    body = get(client, "/api/search", q="segmentation").json()
    papers = Paper.objects.count()
    assert body["coverage"] == {"papers": papers, "embedded": papers, "notice": None}
    PaperEmbedding.objects.filter(paper_id__in=sorted(corpus.values())[:100]).delete()
    vectors.forget_state()
    try:
        body = get(client, "/api/search", q="segmentation").json()
    finally:
        vectors.forget_state()
    assert body["coverage"]["embedded"] == papers - 100
    assert body["coverage"]["notice"] == (
        f"meaning search covers {papers - 100:,} of {papers:,} papers; keyword results are complete"
    )
