"""Linking papers to repositories: on ingest (a ``papers_changed`` receiver) and by hand."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

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


def link(paper: Paper, ref: RepoRef, source: str, user=None) -> tuple[CodeLink, bool]:
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
    """Link these papers to the repositories their abstracts and comments name.

    In bulk, one transaction for the lot: this runs after every ingest batch, and a
    query (and commit) per link made it the slowest part of a large import.
    """
    wanted: dict[int, list[tuple[RepoRef, str]]] = {}
    rows = Paper.objects.filter(pk__in=paper_ids).values_list("pk", "abstract", "comments")
    for pk, abstract, comments in rows:
        text = f"{abstract} {comments}".lower()
        if "github" not in text and "gitlab" not in text and "huggingface" not in text:
            continue
        for source, field in ((CodeLink.ABSTRACT, abstract), (CodeLink.COMMENTS, comments)):
            for ref in find_repositories(field):
                wanted.setdefault(pk, []).append((ref, source))
    if not wanted:
        return 0
    refs = {ref for pairs in wanted.values() for ref, _ in pairs}
    with transaction.atomic():
        known = _repositories(refs)
        missing = {_identity(r): r for r in refs if _identity(r) not in known}
        if missing:
            CodeRepository.objects.bulk_create(
                [
                    CodeRepository(host=r.host, full_name=r.full_name, url=r.url)
                    for r in missing.values()
                ],
                ignore_conflicts=True,
            )
            known.update(_repositories(list(missing.values())))
        links, seen = [], set()
        for pk, pairs in wanted.items():
            for ref, source in pairs:
                repository_id = known.get(_identity(ref))
                if repository_id and (pk, repository_id) not in seen:
                    seen.add((pk, repository_id))
                    links.append(CodeLink(paper_id=pk, repository_id=repository_id, source=source))
        before = CodeLink.objects.filter(paper_id__in=list(wanted)).count()
        CodeLink.objects.bulk_create(links, ignore_conflicts=True)
        return CodeLink.objects.filter(paper_id__in=list(wanted)).count() - before


def _identity(ref: RepoRef) -> tuple[str, str]:
    return ref.host, ref.full_name.lower()


def _repositories(refs) -> dict[tuple[str, str], int]:
    """Stored repositories for these refs, matched without regard to case."""
    names = {ref.full_name.lower() for ref in refs}
    found: dict[tuple[str, str], int] = {}
    rows = (
        CodeRepository.objects.annotate(lower_name=Lower("full_name"))
        .filter(lower_name__in=names, host__in={ref.host for ref in refs})
        .order_by("pk")
        .values_list("host", "lower_name", "pk")
    )
    for host, lower_name, pk in rows:
        found.setdefault((host, lower_name), pk)
    return found


def on_papers_changed(sender, paper_ids=None, **kwargs) -> None:
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


def best_of(links: list[CodeLink]) -> CodeRepository | None:
    best = None
    for item in links:
        repo = item.repository
        rank = (repo.host == CodeRepository.GITHUB, repo.stars or 0, -item.pk)
        if best is None or rank > best[0]:
            best = (rank, repo)
    return best[1] if best else None
