"""The admin serves curators too: votes, submissions, features, comments (hidden and
unhidden by actions that are logged), each paper's community state (hidden and shown
again by logged actions), collections and the curation log (read-only).
Staff curators get these through the "curators" group's permissions (see the
migrations that create the group and grant it comments)."""

from django.contrib import admin

from paperfeed.community import curation, models
from paperfeed.community.state import refresh_feature


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

    def save_model(self, request, obj, form, change):
        obj.curator = request.user
        super().save_model(request, obj, form, change)
        refresh_feature(obj.paper_id)
        curation._log(
            request.user, models.CurationLog.FEATURE, paper=obj.paper, day=obj.day, note="admin"
        )


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
    def excerpt(self, obj):
        return obj.body[:80]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Hide the selected comments from readers", permissions=["change"])
    def hide_comments(self, request, queryset):
        self._set_hidden(request, queryset, True)

    @admin.action(description="Unhide the selected comments", permissions=["change"])
    def unhide_comments(self, request, queryset):
        self._set_hidden(request, queryset, False)

    def _set_hidden(self, request, queryset, hidden: bool) -> None:
        changed = sum(curation.hide_comment(request.user, c, hidden, "admin") for c in queryset)
        self.message_user(request, f"{'Hid' if hidden else 'Unhid'} {changed} comments.")


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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
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


@admin.register(models.PaperState)
class PaperStateAdmin(admin.ModelAdmin):
    """Each paper's community state: totals are read-only (they follow the vote and
    star tables); hiding and showing again go through the logged curation actions."""

    list_display = ["paper", "day", "votes", "stars", "stars_gained", "points", "hidden"]
    list_filter = ["hidden"]
    raw_id_fields = ["paper"]
    search_fields = ["paper__arxiv_id"]
    readonly_fields = ["votes", "stars", "stars_gained", "points", "day", "featured_on"]
    actions = ["hide", "unhide"]
    show_full_result_count = False

    @admin.action(description="Hide from trending (logged)")
    def hide(self, request, queryset):
        for row in queryset.select_related("paper"):
            curation.hide(request.user, row.paper, True, "admin")

    @admin.action(description="Show on trending again (logged)")
    def unhide(self, request, queryset):
        for row in queryset.select_related("paper"):
            curation.hide(request.user, row.paper, False, "admin")
