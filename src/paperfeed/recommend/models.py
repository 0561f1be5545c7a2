"""What a reader tells the recommender beyond votes and collections: per-paper signals,
followed authors and categories, and the private tokens of their feed and API."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperfeed.catalogue.models import Author, Category, Paper


class PaperSignal(models.Model):
    """One reader's word on one paper. A paper holds at most one signal per reader:
    marking it "not interested" replaces "more like this" and the other way round."""

    MORE = "more"
    NOT_INTERESTED = "not_interested"
    CLAIMED = "claimed"
    KINDS = [
        (MORE, "more like this"),
        (NOT_INTERESTED, "not interested"),
        (CLAIMED, "my paper"),
    ]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_signals"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=KINDS)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "paper"], name="one_signal_per_paper")
        ]
        indexes = [models.Index(fields=["user", "kind"], name="signal_user_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.paper_id}"


class FollowedAuthor(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_authors"
    )
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "author"], name="follow_author_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows author {self.author_id}"


class FollowedCategory(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_categories"
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="follow_category_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.category_id}"


class ReaderToken(models.Model):
    """A private token: the key of the reader's personal Atom feed URL, or a personal
    API token. Only its SHA-256 is stored; revoking deletes the row, so the old URL
    stops working at once."""

    FEED = "feed"
    API = "api"
    PURPOSES = [(FEED, "personal Atom feed"), (API, "API")]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader_tokens"
    )
    purpose = models.CharField(max_length=8, choices=PURPOSES)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "purpose"], name="one_token_per_purpose")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} token of {self.user_id}"


class SentPick(models.Model):
    """A paper a digest picked for a reader, so no later digest picks it again. The
    period key (as in the digests' send log) lets a digest composed again for the same
    period, after a crash, pick the same papers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=40)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="pick_sent_once")]

    def __str__(self) -> str:
        return f"{self.paper_id} picked for {self.user_id}"


class ReaderRevision(models.Model):
    """When the reader last told the recommender anything (a signal, a claim, a follow
    or unfollow, a forgotten item). Their pages fold it into their ETags, so a browser
    revalidating after a click gets the page as it now is, and a reader's click moves
    only their own pages' ETags, not every visitor's cached page."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} changed {self.changed_at:%Y-%m-%d %H:%M:%S}"
