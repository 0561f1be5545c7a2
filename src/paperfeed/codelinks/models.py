"""Code repositories of papers and their GitHub star counts over time."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperfeed.catalogue.models import Paper


class CodeRepository(models.Model):
    GITHUB = "github"
    GITLAB = "gitlab"
    HUGGINGFACE = "huggingface"
    HOSTS = [(GITHUB, "GitHub"), (GITLAB, "GitLab"), (HUGGINGFACE, "Hugging Face")]

    host = models.CharField(max_length=20, choices=HOSTS)
    full_name = models.CharField(max_length=300, help_text="owner/name (HF: kind/owner/name)")
    url = models.URLField(max_length=400, unique=True)
    stars = models.PositiveIntegerField(null=True, blank=True)
    etag = models.CharField(max_length=200, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    missing = models.BooleanField(default=False, help_text="the host answered 404")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["host", "full_name"], name="repository_identity")
        ]

    def __str__(self) -> str:
        return self.url


class CodeLink(models.Model):
    """A paper's link to a repository, with where we learned it."""

    ABSTRACT = "abstract"
    COMMENTS = "comments"
    READER = "reader"
    CURATOR = "curator"
    SOURCES = [(s, s) for s in (ABSTRACT, COMMENTS, READER, CURATOR)]

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="code_links")
    repository = models.ForeignKey(CodeRepository, on_delete=models.CASCADE, related_name="links")
    source = models.CharField(max_length=20, choices=SOURCES)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "repository"], name="code_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} → {self.repository_id}"


class StarSnapshot(models.Model):
    """A repository's star count on a day (one a day; a second fetch replaces it)."""

    repository = models.ForeignKey(
        CodeRepository, on_delete=models.CASCADE, related_name="snapshots"
    )
    day = models.DateField()
    stars = models.PositiveIntegerField()

    class Meta:
        ordering = ["repository", "day"]
        constraints = [
            models.UniqueConstraint(fields=["repository", "day"], name="star_snapshot_daily")
        ]

    def __str__(self) -> str:
        return f"{self.repository_id} ★{self.stars} on {self.day}"
