from django.contrib import admin

from paperfeed.trending.models import TrendingScore


@admin.register(TrendingScore)
class TrendingScoreAdmin(admin.ModelAdmin):
    list_display = ["paper", "day", "votes", "stars", "stars_gained", "points", "hidden"]
    list_filter = ["hidden"]
    raw_id_fields = ["paper"]
    search_fields = ["paper__arxiv_id"]
    readonly_fields = ["votes", "stars", "stars_gained", "points", "day", "featured_on"]
    actions = ["hide", "unhide"]
    show_full_result_count = False

    @admin.action(description="Hide from trending (logged)")
    def hide(self, request, queryset):  # type: ignore[no-untyped-def]
        from paperfeed.community.curation import hide

        for row in queryset.select_related("paper"):
            hide(request.user, row.paper, True, "admin")

    @admin.action(description="Show on trending again (logged)")
    def unhide(self, request, queryset):  # type: ignore[no-untyped-def]
        from paperfeed.community.curation import hide

        for row in queryset.select_related("paper"):
            hide(request.user, row.paper, False, "admin")
