from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from paperfeed.catalogue.models import Paper
from paperfeed.search import vectors
from paperfeed.search.backends.sqlite import fts5_query
from paperfeed.search.filters import Filters
from paperfeed.search.hybrid import MODES, search
from paperfeed.search.keyword import keyword_search, parse_query
from paperfeed.search.similar import PaperNotFound, similar

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "   ",
    '"',
    '"""',
    "'",
    "*",
    "**a",
    "NEAR(",
    "title: NOT OR AND",
    'author:"',
    "a" * 20000,
    "graph\x00neural\x00networks",
    "\x00",
    "-) ( ^ : + {} [] \\ ; --",
    "SELECT * FROM catalogue_paper; DROP TABLE paper_fts; --",
    "%_%",
    "ümlaut naïve café 深度学习 🙂",
    "2503.99999",
    "arXiv:",
    "title:",
    "🙂" * 3000,
    'au:smith ti:models segm* abs:graph title:"deep nets" author:li*',
    "the of and",
]


def a_paper(corpus, index: int = 0) -> Paper:
    return Paper.objects.get(id=sorted(corpus.values())[index])


def ids(hits):
    return [h.arxiv_id for h in hits]


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_finds_a_paper_by_its_title(corpus, mode):
    for index in (3, 150, 290):
        paper = a_paper(corpus, index)
        found = ids(search(paper.title, mode=mode, limit=5))
        assert paper.arxiv_id in found[: 1 if mode == "keyword" else 3], (mode, paper.title)


def test_semantic_search_finds_a_reworded_description(corpus):
    # 2503.13... words differ from the abstract but mean the same thing
    paper = Paper.objects.filter(id__in=corpus.values(), title__icontains="diffusion").first()
    assert paper is not None
    first_sentence = paper.abstract.split(". ")[0]
    assert paper.arxiv_id in ids(search(first_sentence, mode="semantic", limit=5))


def test_arxiv_id_and_url_forms_are_lookups(corpus):
    paper = a_paper(corpus, 10)
    for text in (
        paper.arxiv_id,
        f"arXiv:{paper.arxiv_id}v2",
        f"https://arxiv.org/abs/{paper.arxiv_id}",
    ):
        for mode in MODES:
            assert ids(search(text, mode=mode)) == [paper.arxiv_id]


def test_author_lookup(corpus):
    paper = a_paper(corpus, 20)
    author = paper.authors.order_by("authorships__position").first()
    surname = author.name.split()[-1]
    hits = search(f'author:"{author.name}"', mode="keyword", limit=50)
    assert paper.arxiv_id in ids(hits)
    for hit in hits:
        names = " ".join(Paper.objects.get(id=hit.paper_id).authors.values_list("name", flat=True))
        assert surname.lower() in names.lower()


def test_phrase_and_prefix_queries(corpus):
    phrase_hits = search('"large language models"', mode="keyword", limit=100)
    assert phrase_hits
    for hit in phrase_hits:
        paper = Paper.objects.get(id=hit.paper_id)
        text = " ".join(f"{paper.title} {paper.abstract}".lower().split()).replace("-", " ")
        assert "large language model" in text
    prefix_hits = search("segment*", mode="keyword", limit=100)
    assert prefix_hits
    for hit in prefix_hits[:20]:
        paper = Paper.objects.get(id=hit.paper_id)
        assert "segment" in f"{paper.title} {paper.abstract}".lower()


def test_title_weighs_more_than_abstract(corpus):
    # a word in one paper's title and only in other papers' abstracts ranks the title first
    hits = search("benchmark", mode="keyword", limit=10)
    top = Paper.objects.get(id=hits[0].paper_id)
    assert "benchmark" in top.title.lower()


@pytest.mark.parametrize("mode", MODES)
def test_filters_apply_inside_the_search(corpus, mode):
    category_hits = search("learning", mode=mode, filters=Filters(("cs.RO",)), limit=30)
    assert category_hits
    for hit in category_hits:
        assert Paper.objects.get(id=hit.paper_id).categories.filter(code="cs.RO").exists()
    dates = sorted(
        set(Paper.objects.filter(id__in=corpus.values()).values_list("announced", flat=True))
    )
    day = dates[len(dates) // 2]
    dated = search("model", mode=mode, filters=Filters(date_from=day, date_to=day), limit=30)
    assert dated
    assert all(Paper.objects.get(id=h.paper_id).announced == day for h in dated)
    archive = search("model", mode=mode, filters=Filters(("cs",)), limit=5)
    assert len(archive) == 5
    none = search(
        "model",
        mode=mode,
        filters=Filters(date_from=dt.date(1990, 1, 1), date_to=dt.date(1990, 1, 2)),
    )
    assert none == []
    assert search("model", mode=mode, filters=Filters(("no.such",))) == []


def test_a_filters_cached_papers_follow_category_and_date_changes(corpus):
    from paperfeed.catalogue.models import Category

    outside = Paper.objects.filter(id__in=corpus.values()).exclude(categories="cs.RO").first()
    robotics = Filters(("cs.RO",))
    before = robotics.paper_ids()
    assert outside.id not in before.members
    assert robotics.paper_ids() is before  # kept while the catalogue stands still
    outside.categories.add(Category.objects.get(code="cs.RO"))
    after = robotics.paper_ids()
    assert outside.id in after.members and outside.id in after.array
    day = Filters(date_from=dt.date(1990, 1, 1), date_to=dt.date(1990, 1, 1))
    assert outside.id not in day.paper_ids().members
    outside.announced = dt.date(1990, 1, 1)
    outside.save()  # the catalogue version moves with any saved paper
    assert outside.id in day.paper_ids().members
    # the vector side sees the same set
    found = vectors.vector_search(vectors.get_vector(outside.id), limit=3, filters=day)
    assert [pk for pk, _ in found] == [outside.id]


def test_hybrid_fuses_both_rankings(corpus):
    from paperfeed.search.hybrid import FUSION_DEPTH, rrf, semantic_search

    query = "robot grasping with tactile feedback"
    lexical = [pk for pk, _ in keyword_search(query, limit=FUSION_DEPTH)]
    meaning = [pk for pk, _ in semantic_search(query, Filters(), FUSION_DEPTH)]
    hits = search(query, mode="hybrid", limit=10)
    assert [h.paper_id for h in hits] == [pk for pk, _ in rrf([lexical, meaning])[:10]]
    for hit in hits:
        assert hit.keyword_rank == (
            lexical.index(hit.paper_id) + 1 if hit.paper_id in lexical else None
        )
        assert hit.semantic_rank == (
            meaning.index(hit.paper_id) + 1 if hit.paper_id in meaning else None
        )


def test_hybrid_falls_back_to_keywords_when_the_model_fails(corpus, monkeypatch):
    """The query is embedded on another thread; its failure must still be caught."""
    import paperfeed.search.hybrid as hybrid

    def broken(text):
        raise RuntimeError("no model")

    monkeypatch.setattr(hybrid, "embed_query", broken)
    query = "robot grasping with tactile feedback"
    hits = search(query, mode="hybrid", limit=10)
    assert [h.paper_id for h in hits] == [pk for pk, _ in keyword_search(query, limit=10)]
    assert all(h.semantic_rank is None for h in hits)


def test_keyword_search_without_filters_ranks_as_with_an_open_filter(corpus):
    # unfiltered keyword search skips the paper table; the ranking must not change
    everyone = Filters(date_from=dt.date(1990, 1, 1))
    for query in ("image segmentation", "learning", "robot grasping policy", "a"):
        assert keyword_search(query, limit=50) == keyword_search(query, everyone, limit=50)
    paper = a_paper(corpus, 42)
    assert keyword_search(paper.title, limit=1)[0][0] == paper.id
    Paper.objects.filter(id=paper.id).delete()  # the delete trigger drops its row
    assert paper.id not in [pk for pk, _ in keyword_search(paper.title, limit=50)]


@pytest.mark.parametrize("mode", MODES)
def test_paging_is_consistent(corpus, mode):
    whole = ids(search("image segmentation", mode=mode, limit=20))
    assert len(whole) == 20
    pages = ids(search("image segmentation", mode=mode, limit=10, offset=0)) + ids(
        search("image segmentation", mode=mode, limit=10, offset=10)
    )
    assert pages == whole
    assert len(set(whole)) == 20
    assert search("image segmentation", mode=mode, limit=0) == []


@pytest.mark.parametrize("mode", MODES)
def test_hostile_queries_never_raise(corpus, mode):
    for text in HOSTILE:
        hits = search(text, mode=mode, limit=5)
        assert isinstance(hits, list)
    with pytest.raises(ValueError):
        search("x", mode="bogus")


def test_query_parser_quotes_everything():
    parsed = parse_query('NEAR("a" b) title:"deep nets" au:smith segm* -x OR')
    expression = fts5_query(parsed)
    assert 'title : "deep nets"' in expression
    assert 'authors : "smith"' in expression
    assert '"segm"*' in expression
    assert "NEAR" not in expression.replace('"near"', "")
    assert parse_query("\x00\x00").terms == []
    assert len(parse_query("word " * 5000).terms) <= 64


def test_similar_papers(corpus):
    paper = a_paper(corpus, 42)
    hits = similar(paper.arxiv_id, limit=5)
    assert len(hits) == 5
    assert paper.arxiv_id not in ids(hits)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    # the nearest neighbour of a paper's own title is the paper itself
    assert search(paper.title, mode="semantic", limit=1)[0].arxiv_id == paper.arxiv_id
    with pytest.raises(PaperNotFound):
        similar("2503.99999")
    with pytest.raises(PaperNotFound):
        similar("not an id")


def test_search_command_reads_queries_from_stdin(corpus, monkeypatch, capsys):
    paper = a_paper(corpus, 7)
    monkeypatch.setattr("sys.stdin", io.StringIO(f'{paper.title}\n\n"\x00\n'))
    call_command("search", "-", "--limit", "3", "--mode", "keyword")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [entry["query"] for entry in lines] == [paper.title, '"\x00']
    assert lines[0]["results"][0]["id"] == paper.arxiv_id
    assert set(lines[0]["results"][0]) == {"id", "score"}


def test_search_and_similar_commands(corpus, capsys):
    paper = a_paper(corpus, 8)
    call_command("search", paper.title, "--json", "--limit", "2")
    out = json.loads(capsys.readouterr().out)
    assert out["results"][0]["id"] == paper.arxiv_id
    call_command("search", paper.title, "--limit", "2", "--category", "cs", "--from", "2025-01-01")
    assert paper.arxiv_id in capsys.readouterr().out
    call_command("similar", paper.arxiv_id, "--json", "--limit", "3")
    assert len(json.loads(capsys.readouterr().out)["results"]) == 3


def test_a_filters_bounded_count_matches_its_papers(corpus):
    """The count that picks a vector search path: each paper once (a paper in two of an
    archive's categories too), stopped at the cap, and new after a catalogue change."""
    from paperfeed.catalogue.models import Category

    for filters in (
        Filters(("cs.RO",)),
        Filters(("cs",)),
        Filters(("cs.RO", "cs.LG")),
        Filters(("cs.LG",), date_from=dt.date(2000, 1, 1)),
        Filters(date_from=dt.date(2000, 1, 1)),
    ):
        size = len(filters.paper_ids())
        assert size > 1, filters
        assert filters.count_up_to(10**6) == size
        assert filters.count_up_to(size) == size
        assert filters.count_up_to(size - 1) == size - 1
    robotics = Filters(("cs.RO",))
    before = robotics.count_up_to(10**6)
    outside = Paper.objects.filter(id__in=corpus.values()).exclude(categories="cs.RO").first()
    outside.categories.add(Category.objects.get(code="cs.RO"))
    assert robotics.count_up_to(10**6) == before + 1


def test_filters_vectors_stay_cached_while_their_bytes_fit(corpus, monkeypatch):
    """The cache of filters' vectors is bounded by its bytes: twenty filters whose
    vectors fit are each read once, however many readers go back to them."""
    vectors.clear_caches()
    reads: list[int] = []
    load = vectors.load_vectors

    def counted(*args, **kwargs):
        found = load(*args, **kwargs)
        reads.append(len(found[0]))
        return found

    monkeypatch.setattr(vectors, "load_vectors", counted)
    windows = [Filters(date_from=dt.date(2000, 1, 1) + dt.timedelta(days=d)) for d in range(20)]
    first = [vectors.filter_vectors(f) for f in windows]
    assert len(reads) == 20 and min(reads) > 0
    assert sum(matrix.nbytes for _, matrix in first) < vectors.FILTERED_CACHE_BYTES
    for _ in range(2):
        for filters, (ids, matrix) in zip(windows, first, strict=True):
            again = vectors.filter_vectors(filters)
            assert again[0] is ids and again[1] is matrix
    assert len(reads) == 20
