"""Linking papers to repositories: on ingest (a ``papers_changed`` receiver) and by hand."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from paperfeed.catalogue.models import Paper
from paperfeed.codelinks.extract import RepoRef, find_repositories
from paperfeed.codelinks.models import CodeLink, CodeRepository

log = logging.getLogger(__name__)


def repository_for(ref: RepoRef) -> CodeRepository:
    existing = CodeRepository.objects.filter(host=ref.host, full_name__iexact=ref.full_name).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return CodeRepository.objects.create(
                host=ref.host, full_name=ref.full_name, url=ref.url
            )
    except IntegrityError:  # created meanwhile by another process
        return CodeRepository.objects.get(host=ref.host, full_name=ref.full_name)


def link(paper: Paper, ref: RepoRef, source: str, user=None) -> tuple[CodeLink, bool]:  # type: ignore[no-untyped-def]
    repository = repository_for(ref)
    try:
        with transaction.atomic():
            return (
                CodeLink.objects.create(
                    paper=paper, repository=repository, source=source, added_by=user
                ),
                True,
            )
    except IntegrityError:
        return CodeLink.objects.get(paper=paper, repository=repository), False


def extract_links(paper_ids: list[int]) -> int:
    """Link these papers to the repositories their abstracts and comments name."""
    made = 0
    rows = Paper.objects.filter(pk__in=paper_ids).values_list("pk", "abstract", "comments")
    for pk, abstract, comments in rows:
        if (
            "github" not in abstract + comments
            and "gitlab" not in abstract + comments
            and ("huggingface" not in abstract + comments)
        ):
            continue
        paper = Paper(pk=pk)
        for source, text in ((CodeLink.ABSTRACT, abstract), (CodeLink.COMMENTS, comments)):
            for ref in find_repositories(text):
                _, created = link(paper, ref, source)
                made += created
    return made


def on_papers_changed(sender, paper_ids=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
    ids = list(paper_ids or [])
    for start in range(0, len(ids), 2000):
        try:
            extract_links(ids[start : start + 2000])
        except Exception:  # never let link-finding break an ingest
            log.exception("finding code links failed for %d papers", len(ids))


def primary_repositories(paper_ids: list[int]) -> dict[int, CodeRepository]:
    """Each paper's repository to show: GitHub first, then most stars, then oldest link."""
    best: dict[int, tuple[tuple, CodeRepository]] = {}
    links = CodeLink.objects.filter(paper_id__in=paper_ids, repository__missing=False)
    for item in links.select_related("repository").order_by("pk"):
        repo = item.repository
        rank = (repo.host == CodeRepository.GITHUB, repo.stars or 0, -item.pk)
        if item.paper_id not in best or rank > best[item.paper_id][0]:
            best[item.paper_id] = (rank, repo)
    return {pk: repo for pk, (_, repo) in best.items()}


def code_links_prefetch():  # type: ignore[no-untyped-def]
    """For card querysets: each paper's links in ``paper.prefetched_code_links``."""
    from django.db.models import Prefetch

    return Prefetch(
        "code_links",
        queryset=CodeLink.objects.filter(repository__missing=False)
        .select_related("repository")
        .order_by("pk"),
        to_attr="prefetched_code_links",
    )


def best_of(links: list[CodeLink]) -> CodeRepository | None:
    best = None
    for item in links:
        repo = item.repository
        rank = (repo.host == CodeRepository.GITHUB, repo.stars or 0, -item.pk)
        if best is None or rank > best[0]:
            best = (rank, repo)
    return best[1] if best else None
