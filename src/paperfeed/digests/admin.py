"""Admin: subscribers (with counts, sends per day, failures and suppressions above the
list) and the send log."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from paperfeed.digests.models import SendLog, Subscriber


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"
    FILTERS = {
        "active": Q(
            confirmed_at__isnull=False,
            paused=False,
            unsubscribed_at__isnull=True,
            suppressed_at__isnull=True,
        ),
        "pending": Q(confirmed_at__isnull=True, suppressed_at__isnull=True),
        "paused": Q(paused=True, unsubscribed_at__isnull=True, suppressed_at__isnull=True),
        "unsubscribed": Q(unsubscribed_at__isnull=False),
        "suppressed": Q(suppressed_at__isnull=False),
    }

    def lookups(self, request, model_admin):
        return [(k, k) for k in self.FILTERS]

    def queryset(self, request, queryset):
        if self.value() in self.FILTERS:
            return queryset.filter(self.FILTERS[self.value()])
        return queryset


def digest_stats(days: int = 14) -> dict:
    counts = Subscriber.objects.aggregate(
        total=Count("id"), **{k: Count("id", filter=q) for k, q in StatusFilter.FILTERS.items()}
    )
    since = timezone.now() - dt.timedelta(days=days)
    per_day = (
        SendLog.objects.filter(claimed_at__gte=since)
        .annotate(day=TruncDate("claimed_at"))
        .values("day")
        .annotate(
            sent=Count("id", filter=Q(state=SendLog.State.SENT)),
            failed=Count("id", filter=Q(state=SendLog.State.FAILED)),
            bounced=Count("id", filter=Q(state=SendLog.State.BOUNCED)),
            empty=Count("id", filter=Q(state=SendLog.State.EMPTY)),
            claimed=Count("id", filter=Q(state=SendLog.State.CLAIMED)),
        )
        .order_by("-day")
    )
    suppressed = Subscriber.objects.filter(suppressed_at__isnull=False).order_by("-suppressed_at")
    return {"counts": counts, "per_day": list(per_day), "suppressions": list(suppressed[:10])}


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = (
        "email",
        "status",
        "frequency",
        "categories",
        "max_papers",
        "confirmed_at",
        "last_sent_at",
        "hard_failures",
    )
    list_filter = (StatusFilter, "frequency", "paused")
    search_fields = ("email",)
    date_hierarchy = "created_at"
    exclude = ("key", "confirm_nonce")
    readonly_fields = ("created_at", "confirmed_at", "last_sent_at", "suppressed_reason")
    raw_id_fields = ("user",)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "digest_stats": digest_stats()}
        return super().changelist_view(request, extra_context)


@admin.register(SendLog)
class SendLogAdmin(admin.ModelAdmin):
    list_display = (
        "subscriber",
        "period_key",
        "state",
        "attempts",
        "papers",
        "claimed_at",
        "finished_at",
        "short_error",
    )
    list_filter = ("state", "period_key")
    search_fields = ("subscriber__email", "period_key")
    date_hierarchy = "claimed_at"
    list_select_related = ("subscriber",)
    readonly_fields = [f.name for f in SendLog._meta.fields]

    @admin.display(description="error")
    def short_error(self, obj: SendLog) -> str:
        return obj.error[:80]

    def has_add_permission(self, request) -> bool:
        return False
