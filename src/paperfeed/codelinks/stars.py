"""Star snapshots: refresh from GitHub, growth over a week, per-paper totals."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Max, Min
from django.utils import timezone

from paperfeed.codelinks.github import GitHubClient, GitHubError, RateLimited
from paperfeed.codelinks.models import CodeLink, CodeRepository, StarSnapshot
from paperfeed.codelinks.signals import stars_changed

log = logging.getLogger(__name__)
GROWTH_DAYS = 7


@dataclass
class RefreshReport:
    fetched: int = 0
    not_modified: int = 0
    missing: int = 0
    failed: int = 0
    rate_limited_until: dt.datetime | None = None


def record_snapshot(repository: CodeRepository, stars: int, day: dt.date) -> None:
    StarSnapshot.objects.update_or_create(repository=repository, day=day, defaults={"stars": stars})


def refresh(
    client: GitHubClient,
    repositories: list[CodeRepository] | None = None,
    today: dt.date | None = None,
    report: Callable[[str], None] = lambda line: None,
) -> RefreshReport:
    """Fetch the stars of GitHub repositories linked to papers; snapshot them today.

    Least recently checked first, so a run cut short by the rate limit resumes
    where it stopped next time."""
    today = today or timezone.now().date()
    result = RefreshReport()
    if repositories is None:
        repositories = list(
            CodeRepository.objects.filter(host=CodeRepository.GITHUB, missing=False)
            .filter(links__isnull=False)
            .distinct()
            .order_by(F("checked_at").asc(nulls_first=True), "pk")
        )
    touched: list[int] = []
    for repo in repositories:
        try:
            answer = client.repository(repo.full_name, repo.etag)
        except RateLimited as exc:
            result.rate_limited_until = dt.datetime.fromtimestamp(exc.reset_at, dt.UTC)
            report(f"rate limited: stopping until {result.rate_limited_until:%H:%M:%S} UTC")
            break
        except GitHubError as exc:
            result.failed += 1
            report(f"failed: {exc}")
            continue
        repo.checked_at = timezone.now()
        if answer.status == 404:
            repo.missing = True
            result.missing += 1
            repo.save(update_fields=["missing", "checked_at"])
            continue
        if answer.status == 304:
            result.not_modified += 1
            if repo.stars is not None:
                record_snapshot(repo, repo.stars, today)
            repo.save(update_fields=["checked_at"])
        else:
            result.fetched += 1
            repo.stars = answer.stars
            repo.etag = answer.etag
            fields = ["stars", "etag", "checked_at"]
            if answer.full_name.lower() != repo.full_name.lower():
                clash = CodeRepository.objects.filter(
                    host=repo.host, full_name=answer.full_name
                ).exists()
                if not clash:
                    repo.full_name = answer.full_name
                    repo.url = f"https://github.com/{answer.full_name}"
                    fields += ["full_name", "url"]
            repo.save(update_fields=fields)
            record_snapshot(repo, answer.stars or 0, today)
        touched.append(repo.pk)
    announce_stars(touched, today)
    return result


def growth(repository_ids: list[int], today: dt.date) -> dict[int, tuple[int, int]]:
    """(latest stars, stars gained since the oldest snapshot of the last 7 days)."""
    since = today - dt.timedelta(days=GROWTH_DAYS)
    window = StarSnapshot.objects.filter(repository_id__in=repository_ids, day__gte=since)
    bounds = {
        row["repository_id"]: (row["first"], row["last"])
        for row in window.order_by()
        .values("repository_id")
        .annotate(first=Min("day"), last=Max("day"))
    }
    stars = {(r, d): s for r, d, s in window.values_list("repository_id", "day", "stars")}
    result = {}
    for repo_id, (first, last) in bounds.items():
        result[repo_id] = (stars[(repo_id, last)], stars[(repo_id, last)] - stars[(repo_id, first)])
    return result


def stars_by_paper(
    paper_ids: list[int] | None = None, today: dt.date | None = None
) -> dict[int, tuple[int, int]]:
    """Per paper: (stars, stars gained this week) of its best-growing GitHub repository."""
    today = today or timezone.now().date()
    links = CodeLink.objects.filter(repository__host=CodeRepository.GITHUB)
    if paper_ids is not None:
        links = links.filter(paper_id__in=paper_ids)
    pairs = list(links.values_list("paper_id", "repository_id"))
    grown = growth(sorted({r for _, r in pairs}), today)
    result: dict[int, tuple[int, int]] = {}
    for paper_id, repo_id in pairs:
        if repo_id in grown:
            current = result.get(paper_id, (0, 0))
            result[paper_id] = max(current, grown[repo_id], key=lambda sg: (sg[1], sg[0]))
    return result


def announce_stars(repository_ids: list[int], today: dt.date) -> None:
    """Announce new star counts for the papers that link these repositories
    (``stars_changed``, a thousand papers a signal)."""
    if not repository_ids:
        return
    paper_ids = list(
        CodeLink.objects.filter(repository_id__in=repository_ids)
        .values_list("paper_id", flat=True)
        .distinct()
    )
    for start in range(0, len(paper_ids), 1000):
        chunk = paper_ids[start : start + 1000]
        values = stars_by_paper(chunk, today)
        stars_changed.send(
            sender=CodeRepository, paper_stars={pk: values.get(pk, (0, 0)) for pk in chunk}
        )


def sparkline(
    repository: CodeRepository, days: int = 90, width: int = 120, height: int = 28
) -> str:
    """An inline SVG polyline of the repository's stars over the last ``days`` days."""
    since = timezone.now().date() - dt.timedelta(days=days)
    points = list(
        repository.snapshots.filter(day__gte=since).order_by("day").values_list("day", "stars")
    )
    if len(points) < 2:
        return ""
    first_day, last_day = points[0][0], points[-1][0]
    span_days = max((last_day - first_day).days, 1)
    low = min(s for _, s in points)
    high = max(s for _, s in points)
    span_stars = max(high - low, 1)
    pad = 2
    coords = " ".join(
        f"{pad + (d - first_day).days / span_days * (width - 2 * pad):.1f},"
        f"{height - pad - (s - low) / span_stars * (height - 2 * pad):.1f}"
        for d, s in points
    )
    label = (
        f"Stars of {repository.full_name}: {points[0][1]} on {first_day:%-d %b} "
        f"to {points[-1][1]} on {last_day:%-d %b %Y}"
    )
    from django.utils.html import escape

    return (
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" '
        f'stroke-linejoin="round" points="{coords}"/></svg>'
    )
