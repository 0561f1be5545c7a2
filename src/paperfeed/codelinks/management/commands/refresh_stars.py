"""``paperfeed refresh-stars``: today's star counts of papers' GitHub repositories."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import F

from paperfeed.codelinks.github import GitHubClient
from paperfeed.codelinks.models import CodeRepository
from paperfeed.codelinks.stars import refresh


class Command(BaseCommand):
    help = "Fetch GitHub stars for linked repositories (ETag-conditional), snapshot them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=0, help="at most this many repositories")

    def handle(self, *args, **options) -> None:
        repos = list(
            CodeRepository.objects.filter(host=CodeRepository.GITHUB, missing=False)
            .filter(links__isnull=False)
            .distinct()
            .order_by(F("checked_at").asc(nulls_first=True), "pk")
        )
        if options["limit"]:
            repos = repos[: options["limit"]]
        with GitHubClient() as client:
            result = refresh(client, repos, report=self.stderr.write)
        self.stdout.write(
            f"stars: {result.fetched} fetched, {result.not_modified} not modified, "
            f"{result.missing} missing, {result.failed} failed"
            + (
                f"; rate limited until {result.rate_limited_until:%Y-%m-%d %H:%M} UTC"
                if result.rate_limited_until
                else ""
            )
        )
