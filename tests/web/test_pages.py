"""Paper, category, author, trending and search pages; 404s; an empty catalogue."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.utils.text import slugify

from paperfeed.catalogue.bibtex import bibtex
from paperfeed.catalogue.models import Author, Paper
from paperfeed.trending.ranking import trending_papers, window_bounds
from tests.support.corpus import OLD_STYLE_ID

pytestmark = pytest.mark.django_db


# paper page --------------------------------------------------------------------------


def test_paper_page_shows_everything(client, corpus):
    paper = Paper.objects.get(arxiv_id="0704.0001")  # snapshot: 2 versions, DOI, journal-ref
    response = client.get("/papers/0704.0001")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="paper-title" class="paper-title">' in html
    assert paper.title[:30] in html
    assert "Phys.Rev.D76:013009,2007" in html
    assert 'href="https://doi.org/10.1103/PhysRevD.76.013009"' in html
    assert (
        "https://arxiv.org/abs/0704.0001v1" in html and "https://arxiv.org/abs/0704.0001v2" in html
    )
    assert "2 Apr 2007" in html  # v1 date
    for authorship in paper.authorships.select_related("author"):
        author = authorship.author
        assert f'href="/authors/{author.pk}-{slugify(author.name)}"' in html
    assert '<pre id="bibtex"' in html and "eprint        = {0704.0001}" in html
    assert 'data-copy-target="bibtex" hidden' in html
    assert "Similar papers will appear here" in html
    # KaTeX is served by the app itself
    assert "/static/vendor/katex/katex.min.js" in html
    assert "/static/vendor/katex/contrib/auto-render.min.js" in html
    assert 'href="/feeds/categories/hep-ph.atom"' in html


def test_old_style_ids_work(client, corpus):
    response = client.get(f"/papers/{OLD_STYLE_ID}")
    assert response.status_code == 200
    assert "Frequency of Hot Jupiters" in response.content.decode()
    assert "ActaAstron.56:1-50,2006" in response.content.decode()


def test_versioned_id_redirects_to_the_paper(client, corpus):
    response = client.get("/papers/0704.0001v2")
    assert response.status_code == 301 and response["Location"] == "/papers/0704.0001"
    response = client.get(f"/papers/{OLD_STYLE_ID}v1")
    assert response["Location"] == f"/papers/{OLD_STYLE_ID}"


def test_math_abstract_is_plain_text_without_js(client, corpus):
    paper = Paper.objects.filter(abstract__contains="$").first()
    html = client.get(f"/papers/{paper.arxiv_id}").content.decode()
    assert 'class="abstract-text math"' in html
    assert "$" in html.split('class="abstract-text math"')[1].split("</div>")[0]


@pytest.mark.parametrize("path", ["/papers/9999.99999", "/papers/astro-ph/9901001", "/papers/x"])
def test_unknown_paper_is_a_proper_404(client, corpus, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "<main" in html and "Traceback" not in html


def test_bibtex_braces_and_old_ids():
    paper = Paper(arxiv_id="hep-th/9901001", title="On {unbalanced", abs_url="u", pdf_url="p")
    entry = bibtex(paper, [Author(name="Ann Other")])
    assert entry.startswith("@misc{other1999unbalanced,")
    assert "title         = {On unbalanced}" in entry and "year          = {1999}" in entry


def test_urls_in_the_abstract_and_comments_are_links(client, corpus):
    html = client.get("/papers/2503.11892").content.decode()
    rel = 'rel="nofollow noopener ugc"'
    abstract = html.split('class="abstract-text')[1].split("</div>")[0]
    assert f'<a href="https://github.com/taco-group/DecAlign" {rel}>' in abstract
    assert f'<a href="https://taco-group.github.io/DecAlign" {rel}>' in abstract
    assert f'<dd>Project website: <a href="https://taco-group.github.io/DecAlign/" {rel}>' in html


# categories and authors --------------------------------------------------------------


def test_category_index_and_page(client, corpus):
    index = client.get("/categories")
    assert index.status_code == 200
    assert 'href="/categories/cs.CV"' in index.content.decode()
    page = client.get("/categories/cs.CV")
    assert page.status_code == 200
    total = Paper.objects.filter(primary_category_id="cs.CV").count()
    assert page.context["page"].total == total
    assert all(p.primary_category_id == "cs.CV" for p in page.context["papers"])
    cross = client.get("/categories/cs.CV?cross=1")
    assert cross.context["page"].total == Paper.objects.filter(categories="cs.CV").count() > total
    assert 'href="/feeds/categories/cs.CV.atom"' in page.content.decode()
    assert client.get("/categories/cs.CV?page=-2").status_code == 400


def test_every_category_on_the_index_has_its_name(client, corpus):
    rows = client.get("/categories").context["rows"]
    assert len(rows) > 100  # the listings' cross-lists reach far beyond cs
    assert [row["code"] for row in rows if not row["name"]] == []
    html = client.get("/categories").content.decode()
    assert '<span class="code">physics.med-ph</span> <span class="name">Medical Physics' in html


def test_categories_stored_without_a_name_are_named_by_the_migration(db):
    from django.apps import apps

    from paperfeed.catalogue.models import Category

    Category.objects.update_or_create(code="physics.med-ph", defaults={"name": ""})
    Category.objects.update_or_create(code="zz.ZZ", defaults={"name": ""})
    migration = importlib.import_module("paperfeed.catalogue.migrations.0004_category_names")
    migration._fill_names(apps, None)
    assert Category.objects.get(code="physics.med-ph").name == "Medical Physics"
    assert Category.objects.get(code="zz.ZZ").name == ""


def test_unknown_category_is_404(client, corpus):
    assert client.get("/categories/zz.ZZ").status_code == 404


def test_author_page(client, corpus):
    author = Author.objects.get(name="Andrew Gould")
    url = f"/authors/{author.pk}-andrew-gould"
    response = client.get(url)
    assert response.status_code == 200
    assert "Andrew Gould" in response.content.decode()
    assert [p.arxiv_id for p in response.context["papers"]] == [OLD_STYLE_ID]
    # the id alone or a stale slug redirects to the canonical address
    assert client.get(f"/authors/{author.pk}")["Location"] == url
    assert client.get(f"/authors/{author.pk}-someone-else")["Location"] == url
    assert client.get("/authors/99999999").status_code == 404


# trending ----------------------------------------------------------------------------


def test_trending_windows(client, corpus):
    for window, first in [("day", 28), ("week", 22), ("month", 18)]:
        response = client.get(f"/trending?window={window}")
        assert response.status_code == 200
        papers = response.context["papers"]
        assert papers and all(p.announced >= dt.date(2025, 3, first) for p in papers)
        keys = [(p.announced, p.arxiv_id) for p in papers]
        assert keys == sorted(keys, reverse=True)
    html = client.get("/trending").content.decode()
    assert 'href="/feeds/trending.atom?window=week"' in html
    assert client.get("/trending?window=year").status_code == 400


def test_trending_ranking_function(corpus):
    assert window_bounds("week") == (dt.date(2025, 3, 22), dt.date(2025, 3, 28))
    now = dt.datetime(2025, 3, 20, 12, tzinfo=dt.UTC)
    papers = trending_papers("day", now=now, limit=5)
    assert len(papers) == 5 and {p.announced for p in papers} == {dt.date(2025, 3, 20)}
    assert trending_papers("month", limit=0) == []
    with pytest.raises(ValueError):
        trending_papers("fortnight")


# search ------------------------------------------------------------------------------


def test_search_authors(client, corpus):
    # Paper results come from the search index (not built for this corpus): see
    # test_search_hybrid.py, which runs on the indexed slice.
    response = client.get("/search?q=diffusion")
    assert response.status_code == 200
    response = client.get("/search?q=andrew gould")
    assert [a.name for a in response.context["authors"]] == ["Andrew Gould"]


def test_search_by_arxiv_id_goes_to_the_paper(client, corpus):
    paper = Paper.objects.filter(announced__isnull=False).first()
    for q in (
        paper.arxiv_id,
        f"arXiv:{paper.arxiv_id}v1",
        f"https://arxiv.org/abs/{paper.arxiv_id}",
    ):
        response = client.get("/search", {"q": q})
        assert response.status_code == 302 and response["Location"] == f"/papers/{paper.arxiv_id}"
    assert client.get("/search", {"q": OLD_STYLE_ID})["Location"] == f"/papers/{OLD_STYLE_ID}"
    missing = client.get("/search", {"q": "2101.00001"})
    assert (
        missing.status_code == 404
        and "https://arxiv.org/abs/2101.00001" in missing.content.decode()
    )


@pytest.mark.parametrize(
    "q", ["%", "_", "%_%", "'; DROP TABLE paper; --", '"quoted"', "x" * 100_00, "\x00nul", "\\", ""]
)
def test_hostile_search_input_never_raises(client, corpus, q):
    response = client.get("/search", {"q": q})
    assert response.status_code == 200


def test_page_structure_is_accessible(client, corpus):
    html = client.get("/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert '<label for="site-search"' in html and '<label for="date-picker"' in html
    assert '<html lang="en">' in html
    assert "prefers-color-scheme" in client.get("/static/web/site.css").getvalue().decode()
