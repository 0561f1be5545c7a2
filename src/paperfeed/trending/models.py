"""The cached parts of the trending score: one row per paper with any community signal.

Votes and stars live in their own tables; this row keeps their totals so the
trending page reads one small table instead of counting a million votes. It is
kept in step on every vote (an atomic ``F() + 1``), after every star refresh, and
rebuilt from scratch by ``paperfeed trending recompute``.
"""

from __future__ import annotations

from django.db import models

from paperfeed.catalogue.models import Paper


class TrendingScore(models.Model):
    paper = models.OneToOneField(
        Paper, primary_key=True, on_delete=models.CASCADE, related_name="trending_score"
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
            # covers the ranking query (day range, points, hidden, feature, id): index only
            models.Index(
                fields=["day", "points", "hidden", "featured_on", "paper"], name="trending_window"
            ),
            models.Index(fields=["featured_on"], name="trending_featured_on"),
        ]

    def __str__(self) -> str:
        return f"{self.paper_id}: {self.points:g} points"
