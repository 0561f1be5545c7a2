"""The admin serves curators too: votes, submissions, features, comments (hidden and
unhidden by actions that are logged), collections and the curation log (read-only).
Staff curators get these through the "curators" group's permissions (see the
migrations that create the group and grant it comments)."""

from django.contrib import admin

from paperfeed.community import models
from paperfeed.trending.score import touch


@admin.register(models.Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["paper", "user", "created_at"]
    raw_id_fields = ["paper", "user"]
    search_fields = ["paper__arxiv_id", "user__email"]
    show_full_result_count = False


@admin.register(models.Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["paper", "submitted_by", "day", "created_at"]
    raw_id_fields = ["paper", "submitted_by"]
    date_hierarchy = "day"


@admin.register(models.Feature)
class FeatureAdmin(admin.ModelAdmin):
    list_display = ["paper", "day", "curator", "created_at"]
    raw_id_fields = ["paper"]
    exclude = ["curator"]  # whoever saves it

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from paperfeed.community.curation import _log
        from paperfeed.community.submissions import refresh_feature

        obj.curator = request.user
        super().save_model(request, obj, form, change)
        refresh_feature(obj.paper_id)
        _log(request.user, models.CurationLog.FEATURE, paper=obj.paper, day=obj.day, note="admin")


@admin.register(models.Comment)
class CommentAdmin(admin.ModelAdmin):
    """Comments are read-only here; curators hide or unhide them with the actions,
    which log each change as the paper page's buttons do."""

    list_display = ["created_at", "paper", "author", "excerpt", "hidden", "hidden_by"]
    list_filter = ["hidden"]
    list_select_related = ["paper", "author", "hidden_by"]
    search_fields = ["paper__arxiv_id", "author__email", "body"]
    readonly_fields = [f.name for f in models.Comment._meta.fields]
    actions = ["hide_comments", "unhide_comments"]
    show_full_result_count = False

    @admin.display(description="comment")
    def excerpt(self, obj):  # type: ignore[no-untyped-def]
        return obj.body[:80]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    @admin.action(description="Hide the selected comments from readers", permissions=["change"])
    def hide_comments(self, request, queryset):  # type: ignore[no-untyped-def]
        self._set_hidden(request, queryset, True)

    @admin.action(description="Unhide the selected comments", permissions=["change"])
    def unhide_comments(self, request, queryset):  # type: ignore[no-untyped-def]
        self._set_hidden(request, queryset, False)

    def _set_hidden(self, request, queryset, hidden: bool) -> None:  # type: ignore[no-untyped-def]
        from paperfeed.community.curation import hide_comment

        changed = sum(hide_comment(request.user, c, hidden, "admin") for c in queryset)
        self.message_user(request, f"{'Hid' if hidden else 'Unhid'} {changed} comments.")

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        super().delete_model(request, obj)
        touch([obj.paper_id])

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        papers = list(queryset.order_by().values_list("paper_id", flat=True).distinct())
        super().delete_queryset(request, queryset)
        touch(papers)


@admin.register(models.CurationLog)
class CurationLogAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "actor_name",
        "action",
        "paper",
        "target_user",
        "comment",
        "day",
        "note",
    ]
    list_filter = ["action"]
    readonly_fields = [f.name for f in models.CurationLog._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class CollectionItemInline(admin.TabularInline):
    model = models.CollectionItem
    raw_id_fields = ["paper"]
    extra = 0


@admin.register(models.Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "public", "updated_at"]
    list_filter = ["public"]
    raw_id_fields = ["owner"]
    inlines = [CollectionItemInline]
