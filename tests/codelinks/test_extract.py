"""Finding repository URLs in abstracts and comments; linking them on ingest."""

from __future__ import annotations

import pytest

from paperfeed.catalogue.ingest import Ingestor
from paperfeed.catalogue.models import Paper
from paperfeed.codelinks.extract import RepoRef, find_repositories, parse_repository_url
from paperfeed.codelinks.models import CodeLink
from tests.support.corpus import listing_records


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Code: https://github.com/gosha20777/cmKAN", [("github", "gosha20777/cmKAN")]),
        ("at https://www.github.com/sremedios/eclare.", [("github", "sremedios/eclare")]),
        ("(see github.com/a-b/c.d.git).", [("github", "a-b/c.d")]),
        (
            "https://github.com/org/repo/tree/main/src and github.com/org/repo",
            [("github", "org/repo")],
        ),
        ("https://gitlab.com/grp/sub/proj/-/blob/x.py", [("gitlab", "grp/sub/proj")]),
        (
            "https://huggingface.co/datasets/fatdove/Iris_Database",
            [("huggingface", "datasets/fatdove/Iris_Database")],
        ),
        ("model at https://huggingface.co/meta/llama-3,", [("huggingface", "meta/llama-3")]),
        ("https://github.com/features/copilot https://github.com/someone", []),
        ("https://huggingface.co/papers/2503.1 and https://huggingface.co/spaces/x", []),
        ("no links here", []),
    ],
)
def test_find_repositories(text, expected):
    assert [(r.host, r.full_name) for r in find_repositories(text)] == expected


def test_parse_one_url():
    assert parse_repository_url(" https://github.com/PyGithub/PyGithub ") == RepoRef(
        "github", "PyGithub/PyGithub"
    )
    assert parse_repository_url("https://example.org/x/y") is None


@pytest.mark.django_db
def test_ingest_links_papers_to_their_code(django_capture_on_commit_callbacks):
    records = listing_records(30)
    with django_capture_on_commit_callbacks(execute=True):
        Ingestor().ingest(records)
    links = {
        (link.paper.arxiv_id, link.repository.full_name, link.source)
        for link in CodeLink.objects.select_related("paper", "repository")
    }
    assert ("2503.11781", "gosha20777/cmKAN", "abstract") in links
    assert ("2503.11787", "sremedios/eclare", "abstract") in links
    assert ("2503.11930", "datasets/fatdove/Iris_Database", "comments") in links
    expected = sum(bool(find_repositories(r.abstract + " " + r.comments)) for r in records)
    assert len({arxiv_id for arxiv_id, _, _ in links}) == expected
    # ingesting the same records again adds nothing
    with django_capture_on_commit_callbacks(execute=True):
        Ingestor().ingest(records)
    assert CodeLink.objects.count() == len(links)


@pytest.mark.django_db
def test_one_repository_however_its_name_is_cased():
    from paperfeed.codelinks.links import extract_links
    from paperfeed.codelinks.models import CodeRepository
    from paperfeed.sources.records import PaperRecord

    Ingestor().ingest(
        [
            PaperRecord(arxiv_id="2501.00010", title="a", abstract="Code: github.com/Foo/Bar"),
            PaperRecord(
                arxiv_id="2501.00011", title="b", comments="see https://github.com/foo/bar"
            ),
        ]
    )
    ids = list(
        Paper.objects.filter(arxiv_id__in=["2501.00010", "2501.00011"]).values_list("pk", flat=True)
    )
    assert extract_links(ids) == 2
    assert CodeRepository.objects.filter(full_name__iexact="foo/bar").count() == 1
    assert extract_links(ids) == 0
