"""Votes, submissions, comments, curation and collections: what readers and curators add."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperfeed.catalogue.models import Paper

CURATORS = "curators"


class PaperState(models.Model):
    """A paper's community state, one row per paper: the totals pages and rankings
    read (votes, code stars), the day it counts for (announced, or submitted/featured),
    a curator's ``hidden`` flag, and ``updated_at``, whose maximum is the community
    revision that page caches key on.

    Written only through ``paperfeed.community.state``; votes and stars live in their
    own tables and this row keeps their totals, so a list reads one small table
    instead of counting a million votes. ``paperfeed trending recompute`` rebuilds it.
    """

    paper = models.OneToOneField(
        Paper, primary_key=True, on_delete=models.CASCADE, related_name="community"
    )
    day = models.DateField(
        null=True, blank=True, help_text="the day the paper counts for: announced, or featured"
    )
    featured_on = models.DateField(null=True, blank=True, help_text="submitted or featured on")
    votes = models.PositiveIntegerField(default=0)
    stars = models.PositiveIntegerField(default=0, help_text="latest star count of its code")
    stars_gained = models.IntegerField(default=0, help_text="stars gained over the last 7 days")
    points = models.FloatField(default=0.0, help_text="votes + stars_gained / STARS_PER_VOTE")
    hidden = models.BooleanField(default=False, help_text="hidden by a curator")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        indexes = [
            # covers the trending query (day range, points, hidden, feature, id): index only
            models.Index(
                fields=["day", "points", "hidden", "featured_on", "paper"],
                name="paper_state_window",
            ),
            models.Index(fields=["featured_on"], name="paper_state_featured_on"),
        ]

    def __str__(self) -> str:
        return f"{self.paper_id}: {self.votes} votes, {self.points:g} points"


class DayRevision(models.Model):
    """A counter per day papers count for, moved by every write to the community state
    of such a paper: the key of pages that list a span of days
    (``paperfeed.community.revisions``). Written only through that module."""

    day = models.DateField(primary_key=True)
    revision = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: revision {self.revision}"


class Vote(models.Model):
    """One upvote by one account for one paper; the constraint makes it so under
    concurrent clicks (the second insert fails and is counted as already there)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="vote_once")]
        indexes = [models.Index(fields=["paper", "created_at"], name="vote_paper_time")]

    def __str__(self) -> str:
        return f"{self.user_id} ▲ {self.paper_id}"


class Submission(models.Model):
    """A reader brought this paper to everyone's attention; it is featured on ``day``.
    One submission a paper: the first reader gets the credit."""

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="submission")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    day = models.DateField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.paper_id} submitted by {self.submitted_by_id} on {self.day}"


class Feature(models.Model):
    """A curator features a paper on a day (it counts for that day's trending)."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="features")
    day = models.DateField(db_index=True)
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paper", "day"], name="feature_once_a_day")]

    def __str__(self) -> str:
        return f"{self.paper_id} featured on {self.day}"


class CurationLog(models.Model):
    """Every curator action, with who and when. Rows are never edited."""

    FEATURE = "feature"
    HIDE = "hide"
    UNHIDE = "unhide"
    BAN = "ban"
    UNBAN = "unban"
    HIDE_COMMENT = "hide comment"
    UNHIDE_COMMENT = "unhide comment"
    ACTIONS = [(a, a) for a in (FEATURE, HIDE, UNHIDE, BAN, UNBAN, HIDE_COMMENT, UNHIDE_COMMENT)]

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=254, help_text="kept if the account goes")
    action = models.CharField(max_length=20, choices=ACTIONS)
    paper = models.ForeignKey(Paper, null=True, blank=True, on_delete=models.SET_NULL)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.ForeignKey(
        "Comment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="the comment hidden or unhidden (empty once its author deletes it)",
    )
    day = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"


class Comment(models.Model):
    """A reader's comment on a paper: plain text, shown oldest first on the paper page.
    A curator can hide it (readers no longer see it; the curation log says who and
    when); its author can delete it, and it goes with the author's account."""

    MAX_LENGTH = 5000

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="reader_comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    hidden = models.BooleanField(default=False, help_text="hidden by a curator")
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["paper", "created_at"], name="comment_paper_time")]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.paper_id}: {self.body[:40]}"


class Collection(models.Model):
    """A reader's named list of papers, private or public."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections"
    )
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=500, blank=True)
    public = models.BooleanField(default=False)
    # Part of the private feed's signed key: raising it (a "new feed link") voids every
    # key given out before.
    feed_key_version = models.PositiveIntegerField(default=0)
    papers: models.ManyToManyField[Paper, CollectionItem] = models.ManyToManyField(
        Paper, through="CollectionItem", related_name="collections"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="collection_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "paper"], name="collection_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} in {self.collection_id}"
