"""Subscribers and the send log.

A subscription is keyed by email address (accounts may link one later through the
nullable ``user``). The send log has one row per (subscriber, period key), claimed
before a digest is sent and marked after, so re-runs never repeat or skip a reader.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_key() -> str:
    return secrets.token_urlsafe(18)


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily (on arXiv announcement days)"
    WEEKLY = "weekly", "Weekly"


class Subscriber(models.Model):
    email = models.EmailField(max_length=254, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digest_subscriptions",
    )
    # Signed links carry this key; changing it revokes every link sent so far.
    key = models.CharField(max_length=40, default=new_key)
    # One-time part of the confirmation link: cleared once confirmed (replays fail).
    confirm_nonce = models.CharField(max_length=40, blank=True, default=new_key)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    suppressed_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=300, blank=True)
    hard_failures = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    # Preferences
    frequency = models.CharField(max_length=10, choices=Frequency, default=Frequency.DAILY)
    sections = models.JSONField(default=list, blank=True, help_text="e.g. trending, categories")
    categories = models.JSONField(default=list, blank=True, help_text="arXiv category codes")
    searches = models.JSONField(
        default=list, blank=True, help_text="saved search queries, for the searches section"
    )
    max_papers = models.PositiveSmallIntegerField(default=10)
    paused = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["frequency", "confirmed_at"], name="subscriber_due")]

    def __str__(self) -> str:
        return self.email

    @property
    def status(self) -> str:
        if self.suppressed_at:
            return "suppressed"
        if self.unsubscribed_at:
            return "unsubscribed"
        if not self.confirmed_at:
            return "pending"
        if self.paused:
            return "paused"
        return "active"

    @property
    def is_active(self) -> bool:
        return self.status == "active"


class SendLog(models.Model):
    """One digest for one subscriber and period, e.g. ``daily:2026-11-27``."""

    class State(models.TextChoices):
        CLAIMED = "claimed"
        SENT = "sent"
        FAILED = "failed"  # temporary: a later run retries it
        BOUNCED = "bounced"  # permanent (5xx): not retried for this period
        EMPTY = "empty"  # nothing to send for this period

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="sends")
    period_key = models.CharField(max_length=40)
    state = models.CharField(max_length=10, choices=State, default=State.CLAIMED)
    attempts = models.PositiveSmallIntegerField(default=0)
    papers = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "period_key"], name="sendlog_once_per_period"
            ),
        ]
        indexes = [models.Index(fields=["state", "claimed_at"], name="sendlog_state")]

    def __str__(self) -> str:
        return f"{self.subscriber_id} {self.period_key} {self.state}"
