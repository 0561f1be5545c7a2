"""The paper catalogue: every other part of paperfeed reads these tables."""

from __future__ import annotations

from django.db import models
from django.db.models import F

# Newest announcements first and papers never announced last, on every database
# (PostgreSQL would otherwise put NULLs first in a descending order, SQLite last).
ANNOUNCED_DESC = F("announced").desc(nulls_last=True)
NEWEST_FIRST = (ANNOUNCED_DESC, F("arxiv_id").desc())


class Category(models.Model):
    """An arXiv category such as ``cs.CV``; ``name`` is filled from the taxonomy when known."""

    code = models.CharField(max_length=32, primary_key=True)
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.code


class Author(models.Model):
    """A distinct author name. arXiv has no author identifiers, so the name is the key."""

    # Text, not a bounded char field: sources do hold run-together bylines
    # hundreds of characters long, and they must not stop an import.
    name = models.TextField(unique=True)
    keyname = models.TextField(blank=True)
    forenames = models.TextField(blank=True)
    suffix = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Paper(models.Model):
    arxiv_id = models.CharField(max_length=40, unique=True)
    title = models.TextField()
    abstract = models.TextField(blank=True)
    comments = models.TextField(blank=True)
    journal_ref = models.TextField(blank=True)
    doi = models.TextField(blank=True, help_text="as arXiv gives it; may list several")
    report_no = models.TextField(blank=True)
    license = models.TextField(blank=True)
    primary_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="primary_papers"
    )
    categories = models.ManyToManyField(Category, related_name="papers", blank=True)
    authors: models.ManyToManyField[Author, Authorship] = models.ManyToManyField(
        Author, through="Authorship", related_name="papers"
    )
    latest_version = models.PositiveIntegerField(null=True, blank=True)
    submitted = models.DateTimeField(null=True, blank=True, help_text="first version")
    updated = models.DateTimeField(null=True, blank=True, help_text="latest version")
    # Indexed with modified_at (Meta.indexes): days and spans are read from the index.
    announced = models.DateField(
        null=True, blank=True, help_text="first announcement (listing) date"
    )
    abs_url = models.URLField(max_length=300)
    pdf_url = models.URLField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = NEWEST_FIRST
        indexes = [
            models.Index(fields=["primary_category", "-announced"], name="paper_cat_announced"),
            # The days with their counts and a span's version (catalogue.version), both
            # answered from the index alone.
            models.Index(fields=["announced", "modified_at"], name="paper_announced_modified"),
            # SQLite sorts NULLs lowest, so this order is already "nulls last" there;
            # PostgreSQL gets an index in that exact order from migration 0003
            # (SQLite cannot declare NULLS LAST in an index).
            models.Index(fields=["-announced", "-arxiv_id"], name="paper_feed_order"),
        ]

    def __str__(self) -> str:
        return f"{self.arxiv_id}: {self.title[:60]}"


class DayCount(models.Model):
    """How many papers were announced on a day, kept by triggers on the paper table
    (migration 0006) through every write: the ORM's, bulk ones and raw SQL alike.

    The day navigation, the API's list of days and the paper total read these few
    thousand rows instead of counting the papers: at a million papers that count took
    80 to 150 ms on an idle server and 0.4 to 1.3 s under load, and every import batch
    made every web process count again. A day emptied by deletions keeps its row at 0.
    """

    day = models.DateField(primary_key=True)
    papers = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.papers}"


class Authorship(models.Model):
    """An author's place in a paper's byline (``position`` from 0)."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authorships")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="authorships")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["paper", "position"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="authorship_position"),
        ]
        indexes = [models.Index(fields=["author", "paper"], name="authorship_author")]

    def __str__(self) -> str:
        return f"{self.author_id} #{self.position} of {self.paper_id}"


class Version(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    submitted = models.DateTimeField(null=True, blank=True)
    size = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["paper", "number"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "number"], name="version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.paper.arxiv_id}v{self.number}"


class HarvestState(models.Model):
    """Where a harvest stopped, so an interrupted one resumes: one row per (source, scope)."""

    source = models.CharField(max_length=40)
    scope = models.CharField(max_length=200, help_text="e.g. set=cs from=2026-11-01 until=")
    resumption_token = models.TextField(blank=True)
    cursor = models.PositiveIntegerField(default=0)
    complete_list_size = models.PositiveIntegerField(null=True, blank=True)
    records_seen = models.PositiveIntegerField(default=0)
    finished = models.BooleanField(default=False)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "scope"], name="harvest_state_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.scope}"
