"""The admin serves curators too: votes, submissions, features, collections and the
curation log (read-only). Staff curators get these through the "curators" group's
permissions (see the migration that creates the group)."""

from django.contrib import admin

from paperfeed.community import models


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


@admin.register(models.CurationLog)
class CurationLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action", "paper", "target_user", "day", "note"]
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
